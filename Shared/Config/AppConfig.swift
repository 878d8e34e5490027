import Foundation
import Logging

/// Everything both services read from the environment (CONTRACT §8). Each
/// field has a default that works for local use; `load` rejects bad values
/// with a message naming the variable.
public struct AppConfig: Sendable {
    public enum Environment: String, Sendable, CaseIterable { case local, staging, production }
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    /// The signing key used when `SECRET_KEY` is unset; refused outside `local`.
    public static let developmentSecretKey = "local-development-secret-key-change-me-0123456789"
    public static let developmentSuperuserPassword = "changethis"

    /// `ENVIRONMENT`: local (default), staging or production.
    public var environment: Environment = .local
    /// `DATABASE_URL`: postgres://user:password@host:port/database[?sslmode=disable|prefer|require].
    public var database: DatabaseURL = try! DatabaseURL(parsing: "postgres://postgres@127.0.0.1:5432/set_designs")
    /// `DATABASE_POOL_SIZE`: most connections one process opens (default 20).
    /// At least 4: the gateway keeps two of them listening (upload progress,
    /// caller changes), and a pool of two would leave none for requests.
    public var databasePoolSize = 20
    /// `DATABASE_POOL_TIMEOUT_SECONDS`: longest wait for a free pooled connection before a request
    /// is answered 503 (default 10).
    public var databasePoolTimeoutSeconds = 10.0
    /// `DATABASE_STATEMENT_TIMEOUT_SECONDS`: longest statement the gateway runs (Postgres
    /// `statement_timeout`; default 30, 0 = none). Workers' statements are not limited.
    public var databaseStatementTimeoutSeconds = 30.0
    /// `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS`: Postgres ends a session idle this long inside
    /// a transaction (`idle_in_transaction_session_timeout`; default 60, 0 = none).
    public var databaseIdleInTransactionTimeoutSeconds = 60.0
    /// `HOST`: the address the gateway binds (default 127.0.0.1).
    public var host = "127.0.0.1"
    /// `PORT`: the gateway's port (default 8000).
    public var port = 8000
    /// `SECRET_KEY`: signs access tokens and media URLs; at least 32 bytes.
    public var secretKey = AppConfig.developmentSecretKey
    /// `ACCESS_TOKEN_EXPIRE_MINUTES`: lifetime of an access token (default 11520 = 8 days).
    public var accessTokenExpireMinutes = 11_520
    /// `FIRST_SUPERUSER`: email of the superuser created at start-up when missing.
    public var firstSuperuser = "admin@example.com"
    /// `FIRST_SUPERUSER_PASSWORD`: that superuser's initial password.
    public var firstSuperuserPassword = AppConfig.developmentSuperuserPassword
    /// `BCRYPT_COST`: work factor for new password hashes (default 12, 4...31).
    public var bcryptCost = 12
    /// `MAX_UPLOAD_BYTES`: largest accepted upload (default 2 GiB).
    public var maxUploadBytes = 2 * 1024 * 1024 * 1024
    /// `MAX_CONCURRENT_UPLOADS`: uploads one gateway receives at once; beyond, 429 (default 64).
    public var maxConcurrentUploads = 64
    /// `MAX_CONCURRENT_UPLOADS_PER_USER`: uploads one user sends to one gateway at once; beyond, 429 (default 4).
    public var maxConcurrentUploadsPerUser = 4
    /// `UPLOAD_SWEEP_GRACE_SECONDS`: an uploaded archive that no task refers to, or a blob write
    /// that stopped, is deleted once untouched this long (default 7200). Longer than
    /// `TASK_DEADLINE_SECONDS` and a lease, since a task's staged images are untouched until it ends.
    public var uploadSweepGraceSeconds = 7200.0
    /// `RESUMABLE_UPLOAD_TTL_SECONDS`: an unfinished resumable upload expires this long after its
    /// last bytes (`Upload-Expires`), and the worker's sweep deletes it with its bytes (default 86400).
    public var resumableUploadTTLSeconds = 86_400.0
    /// What `UPLOAD_SWEEP_GRACE_SECONDS` must exceed a task's deadline and lease by.
    public static let sweepMarginSeconds = 600.0
    /// `LOGIN_MAX_FAILURES`: failed logins for one account within `LOGIN_FAILURE_WINDOW_SECONDS`
    /// after which its logins answer 429 until the window passes (default 10).
    public var loginMaxFailures = 10
    /// `LOGIN_MAX_FAILURES_PER_ADDRESS`: the same for one client address, which may be a proxy
    /// of many users (default 100).
    public var loginMaxFailuresPerAddress = 100
    /// `LOGIN_FAILURE_WINDOW_SECONDS`: the window failed logins are counted in (default 900).
    public var loginFailureWindowSeconds = 900
    /// `FORWARDED_ALLOW_IPS`: comma-separated peer addresses (the reverse proxy) whose `X-Real-IP` /
    /// `X-Forwarded-For` name the client; `*` trusts every peer (default 127.0.0.1,::1).
    public var forwardedAllowIPs: Set<String> = ["127.0.0.1", "::1"]
    /// `BLOB_STORE`: `postgres` (default) or `filesystem:/absolute/path`.
    public var blobStore = BlobStoreLocation.postgres
    /// `PUBLIC_BASE_URL`: prefix for URLs the gateway builds; unset = from the request.
    public var publicBaseURL: String?
    /// `MEDIA_URL_TTL_SECONDS`: lifetime of a signed media URL (default 3600).
    public var mediaURLTTLSeconds = 3600
    /// `OPERATORS_WEBHOOK_URL`: Slack-compatible webhook for completion requests; unset = none.
    public var operatorsWebhookURL: String?
    /// `WORKER_CONCURRENCY`: tasks one worker processes at once (default 2).
    public var workerConcurrency = 2
    /// `WORKER_POLL_SECONDS`: how often a worker polls for tasks besides LISTEN (default 5).
    public var workerPollSeconds = 5.0
    /// `TASK_LEASE_SECONDS`: how long a claim holds before another worker may take over (default 30).
    public var taskLeaseSeconds = 30.0
    /// `TASK_MAX_ATTEMPTS`: claims before a task is failed as interrupted (default 3).
    public var taskMaxAttempts = 3
    /// `WORKER_SHUTDOWN_GRACE_SECONDS`: time to finish a task after SIGTERM (default 20).
    public var workerShutdownGraceSeconds = 20.0
    /// `TASK_DEADLINE_SECONDS`: time from a task's first claim after which it is failed (default 3600).
    public var taskDeadlineSeconds = 3600.0
    /// `PROGRESS_KEEPALIVE_SECONDS`: how often a progress event stream sends a keep-alive comment (default 15).
    public var progressKeepAliveSeconds = 15.0
    /// `WEBHOOK_MAX_ATTEMPTS`: attempts to deliver an operators' webhook message before it is given up as failed (default 20).
    public var webhookMaxAttempts = 20
    /// `METRICS_PORT`: where a worker serves Prometheus metrics on `HOST` (`/metrics`); unset = not served.
    /// The gateway serves `/metrics` on its own port.
    public var metricsPort: Int?
    /// `LOG_LEVEL`: trace, debug, info (default), notice, warning, error, critical.
    public var logLevel = Logger.Level.info
    /// `LOG_FORMAT`: text (default) or json.
    public var logFormat = LogFormat.text

    public init() {}

    /// Reads the configuration; every problem is reported together.
    public static func load(from environment: [String: String]) throws(ConfigError) -> AppConfig {
        var reader = EnvironmentReader(environment: environment)
        var config = AppConfig()
        reader.read("ENVIRONMENT", into: &config.environment) { Environment(rawValue: $0.lowercased()) }
        reader.read("DATABASE_URL", into: &config.database) { try? DatabaseURL(parsing: $0) }
        reader.read("DATABASE_POOL_SIZE", into: &config.databasePoolSize, range: 4...1000)
        reader.read("DATABASE_POOL_TIMEOUT_SECONDS", into: &config.databasePoolTimeoutSeconds, range: 0.01...3600)
        reader.read("DATABASE_STATEMENT_TIMEOUT_SECONDS", into: &config.databaseStatementTimeoutSeconds, range: 0...86_400)
        reader.read(
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", into: &config.databaseIdleInTransactionTimeoutSeconds, range: 0...86_400
        )
        reader.read("HOST", into: &config.host) { $0.isEmpty ? nil : $0 }
        reader.read("PORT", into: &config.port) { Int($0).flatMap { (0...65_535).contains($0) ? $0 : nil } }
        reader.read("SECRET_KEY", into: &config.secretKey) { $0.utf8.count >= 32 ? $0 : nil }
        reader.read("ACCESS_TOKEN_EXPIRE_MINUTES", into: &config.accessTokenExpireMinutes, range: 1...5_256_000)
        reader.read("FIRST_SUPERUSER", into: &config.firstSuperuser) { EmailAddress.isValid($0) ? $0 : nil }
        reader.read("FIRST_SUPERUSER_PASSWORD", into: &config.firstSuperuserPassword) {
            (8...128).contains($0.count) ? $0 : nil
        }
        reader.read("BCRYPT_COST", into: &config.bcryptCost, range: 4...31)
        reader.read("MAX_UPLOAD_BYTES", into: &config.maxUploadBytes, range: 1...(1 << 40))
        reader.read("MAX_CONCURRENT_UPLOADS", into: &config.maxConcurrentUploads, range: 1...100_000)
        reader.read("MAX_CONCURRENT_UPLOADS_PER_USER", into: &config.maxConcurrentUploadsPerUser, range: 1...100_000)
        reader.read("UPLOAD_SWEEP_GRACE_SECONDS", into: &config.uploadSweepGraceSeconds, range: 1...31_536_000)
        reader.read("RESUMABLE_UPLOAD_TTL_SECONDS", into: &config.resumableUploadTTLSeconds, range: 1...31_536_000)
        reader.read("LOGIN_MAX_FAILURES", into: &config.loginMaxFailures, range: 1...1_000_000)
        reader.read("LOGIN_MAX_FAILURES_PER_ADDRESS", into: &config.loginMaxFailuresPerAddress, range: 1...1_000_000)
        reader.read("LOGIN_FAILURE_WINDOW_SECONDS", into: &config.loginFailureWindowSeconds, range: 1...86_400)
        reader.read("FORWARDED_ALLOW_IPS", into: &config.forwardedAllowIPs) { value in
            let addresses = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            return addresses.isEmpty ? nil : addresses
        }
        reader.read("BLOB_STORE", into: &config.blobStore) { BlobStoreLocation(parsing: $0) }
        reader.readOptional("PUBLIC_BASE_URL", into: &config.publicBaseURL) { value in
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return nil
            }
            return value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        reader.read("MEDIA_URL_TTL_SECONDS", into: &config.mediaURLTTLSeconds, range: 1...31_536_000)
        reader.readOptional("OPERATORS_WEBHOOK_URL", into: &config.operatorsWebhookURL) { value in
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return nil
            }
            return value
        }
        reader.read("WORKER_CONCURRENCY", into: &config.workerConcurrency, range: 1...256)
        reader.read("WORKER_POLL_SECONDS", into: &config.workerPollSeconds, range: 0.01...3600)
        reader.read("TASK_LEASE_SECONDS", into: &config.taskLeaseSeconds, range: 0.3...86_400)
        reader.read("TASK_MAX_ATTEMPTS", into: &config.taskMaxAttempts, range: 1...1000)
        reader.read("WORKER_SHUTDOWN_GRACE_SECONDS", into: &config.workerShutdownGraceSeconds, range: 0...3600)
        reader.read("TASK_DEADLINE_SECONDS", into: &config.taskDeadlineSeconds, range: 0.1...604_800)
        reader.read("PROGRESS_KEEPALIVE_SECONDS", into: &config.progressKeepAliveSeconds, range: 0.05...3600)
        reader.read("WEBHOOK_MAX_ATTEMPTS", into: &config.webhookMaxAttempts, range: 1...1000)
        reader.readOptional("METRICS_PORT", into: &config.metricsPort) { Int($0).flatMap { (1...65_535).contains($0) ? $0 : nil } }
        reader.read("LOG_LEVEL", into: &config.logLevel) { Logger.Level(rawValue: $0.lowercased()) }
        reader.read("LOG_FORMAT", into: &config.logFormat) { LogFormat(rawValue: $0.lowercased()) }

        // A task's last attempt may stage images until its deadline plus a lease; the
        // margin covers the sweep's interval and clocks that differ between hosts.
        let stagedAtMost = config.taskDeadlineSeconds + config.taskLeaseSeconds + Self.sweepMarginSeconds
        if config.uploadSweepGraceSeconds < stagedAtMost {
            reader.problems.append(
                .init(
                    variable: "UPLOAD_SWEEP_GRACE_SECONDS",
                    message: "must be at least TASK_DEADLINE_SECONDS + TASK_LEASE_SECONDS + \(Int(Self.sweepMarginSeconds)) "
                        + "(\(stagedAtMost)): a running task's staged images would be swept"
                )
            )
        }

        // Anything but a developer's machine (staging too) must have its own secrets.
        if config.environment != .local {
            let environment = config.environment.rawValue
            if config.secretKey == developmentSecretKey {
                reader.problems.append(
                    .init(variable: "SECRET_KEY", message: "must be set to a secret of at least 32 bytes when ENVIRONMENT=\(environment)")
                )
            }
            if config.firstSuperuserPassword == developmentSuperuserPassword {
                reader.problems.append(
                    .init(variable: "FIRST_SUPERUSER_PASSWORD", message: "must be set, not the default, when ENVIRONMENT=\(environment)")
                )
            }
        }
        guard reader.problems.isEmpty else { throw ConfigError(problems: reader.problems) }
        return config
    }
}

/// Where blobs live (CONTRACT §7).
public enum BlobStoreLocation: Sendable, Equatable {
    case postgres
    case filesystem(path: String)

    init?(parsing value: String) {
        if value == "postgres" {
            self = .postgres
        } else if value.hasPrefix("filesystem:"), value.dropFirst("filesystem:".count).hasPrefix("/") {
            self = .filesystem(path: String(value.dropFirst("filesystem:".count)))
        } else {
            return nil
        }
    }
}

/// Configuration that cannot start the service, one line per variable.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public struct Problem: Sendable {
        public var variable: String
        public var message: String
    }

    public var problems: [Problem]

    public var description: String {
        problems.map { "invalid configuration: \($0.variable) \($0.message)" }.joined(separator: "\n")
    }
}

/// Collects every bad variable instead of stopping at the first.
private struct EnvironmentReader {
    let environment: [String: String]
    var problems: [ConfigError.Problem] = []

    mutating func read<Value>(_ variable: String, into target: inout Value, parse: (String) -> Value?) {
        guard let raw = environment[variable] else { return }
        if let value = parse(raw) {
            target = value
        } else {
            problems.append(.init(variable: variable, message: "has an invalid value \(Self.quoted(variable, raw))"))
        }
    }

    mutating func readOptional<Value>(_ variable: String, into target: inout Value?, parse: (String) -> Value?) {
        guard let raw = environment[variable], !raw.isEmpty else { return }
        if let value = parse(raw) {
            target = value
        } else {
            problems.append(.init(variable: variable, message: "has an invalid value \(Self.quoted(variable, raw))"))
        }
    }

    mutating func read(_ variable: String, into target: inout Int, range: ClosedRange<Int>) {
        guard let raw = environment[variable] else { return }
        if let value = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) {
            target = value
        } else {
            problems.append(
                .init(variable: variable, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(Self.quoted(variable, raw))")
            )
        }
    }

    mutating func read(_ variable: String, into target: inout Double, range: ClosedRange<Double>) {
        guard let raw = environment[variable] else { return }
        if let value = Double(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) {
            target = value
        } else {
            problems.append(
                .init(variable: variable, message: "must be a number from \(range.lowerBound) to \(range.upperBound), got \(Self.quoted(variable, raw))")
            )
        }
    }

    /// Secrets are never echoed back, not even in an error.
    private static func quoted(_ variable: String, _ raw: String) -> String {
        let secret = ["SECRET_KEY", "FIRST_SUPERUSER_PASSWORD", "DATABASE_URL"].contains(variable)
        return secret ? "(value hidden)" : "\"\(raw)\""
    }
}
