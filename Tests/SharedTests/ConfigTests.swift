import Shared
import Testing

@Suite("Configuration from the environment")
struct ConfigTests {
    private func problems(_ environment: [String: String]) -> [String] {
        do {
            _ = try AppConfig.load(from: environment)
            return []
        } catch {
            return error.problems.map(\.variable)
        }
    }

    // MARK: Tests

    @Test func anEmptyEnvironmentGivesWorkingLocalDefaults() throws {
        let config = try AppConfig.load(from: [:])
        #expect(config.port == 8000)
        #expect(config.accessTokenExpireMinutes == 11_520)
        #expect(config.maxUploadBytes == 2 * 1024 * 1024 * 1024)
        #expect(config.blobStore == .postgres)
        #expect(config.mediaURLTTLSeconds == 3600)
        #expect(config.workerPollSeconds == 5)
        #expect(config.taskLeaseSeconds == 30)
        #expect(config.taskMaxAttempts == 3)
        #expect(config.logFormat == .text)
    }

    @Test func everyVariableIsRead() throws {
        let config = try AppConfig.load(from: [
            "DATABASE_URL": "postgresql://app:p%40ss@db.internal:6543/prod?sslmode=require",
            "HOST": "0.0.0.0", "PORT": "9000", "SECRET_KEY": String(repeating: "k", count: 40),
            "ACCESS_TOKEN_EXPIRE_MINUTES": "60", "FIRST_SUPERUSER": "boss@example.com",
            "FIRST_SUPERUSER_PASSWORD": "a-long-password", "MAX_UPLOAD_BYTES": "1048576",
            "BLOB_STORE": "filesystem:/srv/blobs", "PUBLIC_BASE_URL": "https://api.example.com/",
            "MEDIA_URL_TTL_SECONDS": "60", "OPERATORS_WEBHOOK_URL": "https://hooks.example.com/x",
            "WORKER_CONCURRENCY": "4", "WORKER_POLL_SECONDS": "0.5", "TASK_LEASE_SECONDS": "12",
            "TASK_MAX_ATTEMPTS": "5", "WORKER_SHUTDOWN_GRACE_SECONDS": "3", "LOG_LEVEL": "debug", "LOG_FORMAT": "json",
        ])
        #expect(config.database.host == "db.internal" && config.database.port == 6543)
        #expect(config.database.username == "app" && config.database.password == "p@ss")
        #expect(config.database.database == "prod" && config.database.tls == .require)
        #expect(config.host == "0.0.0.0" && config.port == 9000)
        #expect(config.blobStore == .filesystem(path: "/srv/blobs"))
        #expect(config.publicBaseURL == "https://api.example.com")
        #expect(config.workerConcurrency == 4 && config.workerPollSeconds == 0.5)
        #expect(config.taskLeaseSeconds == 12 && config.taskMaxAttempts == 5)
        #expect(config.logLevel == .debug && config.logFormat == .json)
    }

    @Test func aBadValueIsReportedByItsVariableName() {
        #expect(problems(["PORT": "eighty"]) == ["PORT"])
        #expect(problems(["PORT": "70000"]) == ["PORT"])
        #expect(problems(["DATABASE_URL": "mysql://x/y"]) == ["DATABASE_URL"])
        #expect(problems(["BLOB_STORE": "s3://bucket"]) == ["BLOB_STORE"])
        #expect(problems(["BLOB_STORE": "filesystem:relative/path"]) == ["BLOB_STORE"])
        #expect(problems(["LOG_FORMAT": "xml"]) == ["LOG_FORMAT"])
        #expect(problems(["TASK_LEASE_SECONDS": "0"]) == ["TASK_LEASE_SECONDS"])
        #expect(problems(["FIRST_SUPERUSER": "not-an-email"]) == ["FIRST_SUPERUSER"])
        #expect(problems(["PUBLIC_BASE_URL": "ftp://x"]) == ["PUBLIC_BASE_URL"])
        // Two connections listen for good; fewer than two left would serve nothing.
        #expect(problems(["DATABASE_POOL_SIZE": "3"]) == ["DATABASE_POOL_SIZE"])
        #expect(problems(["DATABASE_POOL_SIZE": "4"]).isEmpty)
    }

    @Test func everyBadVariableIsReportedTogether() {
        #expect(problems(["PORT": "x", "WORKER_CONCURRENCY": "0", "LOG_LEVEL": "loud"]) == ["PORT", "WORKER_CONCURRENCY", "LOG_LEVEL"])
    }

    @Test func aSecretKeyShorterThan32BytesIsRefused() {
        #expect(problems(["SECRET_KEY": "short"]) == ["SECRET_KEY"])
    }

    @Test func productionRefusesTheDefaultSecretKeyAndPassword() {
        #expect(problems(["ENVIRONMENT": "production"]) == ["SECRET_KEY", "FIRST_SUPERUSER_PASSWORD"])
        #expect(problems([
            "ENVIRONMENT": "production", "SECRET_KEY": String(repeating: "s", count: 32),
            "FIRST_SUPERUSER_PASSWORD": "not-the-default",
        ]).isEmpty)
    }

    /// Staging is as exposed as production: anything but `local` needs its own secrets.
    @Test(arguments: ["staging", "production", "PRODUCTION"])
    func outsideLocalAMissingOrDefaultSecretKeyOrPasswordIsRefused(_ environment: String) throws {
        #expect(problems(["ENVIRONMENT": environment]) == ["SECRET_KEY", "FIRST_SUPERUSER_PASSWORD"])
        #expect(problems([
            "ENVIRONMENT": environment, "SECRET_KEY": AppConfig.developmentSecretKey,
            "FIRST_SUPERUSER_PASSWORD": AppConfig.developmentSuperuserPassword,
        ]) == ["SECRET_KEY", "FIRST_SUPERUSER_PASSWORD"])
        #expect(problems(["ENVIRONMENT": environment, "SECRET_KEY": String(repeating: "s", count: 32)]) == ["FIRST_SUPERUSER_PASSWORD"])
        #expect(problems(["ENVIRONMENT": environment, "FIRST_SUPERUSER_PASSWORD": "not-the-default"]) == ["SECRET_KEY"])
        do {
            _ = try AppConfig.load(from: ["ENVIRONMENT": environment])
        } catch {
            #expect(error.description.contains("ENVIRONMENT=\(environment.lowercased())"))
        }
        let config = try AppConfig.load(from: [
            "ENVIRONMENT": environment, "SECRET_KEY": String(repeating: "s", count: 32),
            "FIRST_SUPERUSER_PASSWORD": "not-the-default",
        ])
        #expect(config.environment.rawValue == environment.lowercased())
        // Locally the defaults are what make a fresh checkout run.
        #expect(problems(["ENVIRONMENT": "local"]).isEmpty)
    }

    @Test func webhookMaxAttemptsDefaultsTo20AndIsBounded() throws {
        #expect(try AppConfig.load(from: [:]).webhookMaxAttempts == 20)
        #expect(try AppConfig.load(from: ["WEBHOOK_MAX_ATTEMPTS": "5"]).webhookMaxAttempts == 5)
        #expect(problems(["WEBHOOK_MAX_ATTEMPTS": "0"]) == ["WEBHOOK_MAX_ATTEMPTS"])
        #expect(problems(["WEBHOOK_MAX_ATTEMPTS": "many"]) == ["WEBHOOK_MAX_ATTEMPTS"])
    }

    @Test func theUploadSweepsGraceMustOutlastATasksDeadline() throws {
        let defaults = try AppConfig.load(from: [:])
        #expect(defaults.uploadSweepGraceSeconds > defaults.taskDeadlineSeconds)
        // Deadline 600 s + lease 30 s + the 600 s margin.
        #expect(problems(["UPLOAD_SWEEP_GRACE_SECONDS": "1229", "TASK_DEADLINE_SECONDS": "600"]) == ["UPLOAD_SWEEP_GRACE_SECONDS"])
        #expect(problems(["UPLOAD_SWEEP_GRACE_SECONDS": "1230", "TASK_DEADLINE_SECONDS": "600"]).isEmpty)
        #expect(problems(["UPLOAD_SWEEP_GRACE_SECONDS": "1230", "TASK_DEADLINE_SECONDS": "600", "TASK_LEASE_SECONDS": "31"]) == ["UPLOAD_SWEEP_GRACE_SECONDS"])
        #expect(problems(["TASK_DEADLINE_SECONDS": "86400"]) == ["UPLOAD_SWEEP_GRACE_SECONDS"])
    }

    @Test func secretsAreNeverEchoedInErrors() {
        do {
            _ = try AppConfig.load(from: ["SECRET_KEY": "hunter2", "DATABASE_URL": "postgres://u:topsecret@"])
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(!error.description.contains("topsecret"))
            #expect(error.description.contains("SECRET_KEY"))
        }
    }
}
