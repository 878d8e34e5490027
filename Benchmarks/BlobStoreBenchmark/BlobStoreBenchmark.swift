import Foundation
import Logging
import NIOCore
import Shared

/// Writes files into a blob store and reads them back, reporting MB/s and the
/// process's peak RSS: `blob-store-benchmark (postgres|filesystem:/dir) FILE...`
/// (`DATABASE_URL` names the database for the postgres store).
@main
enum BlobStoreBenchmark {
    static func main() async throws {
        try await run()
    }

    /// Off the main actor, so the store's callbacks stay in one isolation domain.
    nonisolated static func run() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2, let location = BlobStoreLocationParser.parse(arguments[0]) else {
            FileHandle.standardError.write(Data("usage: blob-store-benchmark (postgres|filesystem:/dir) FILE...\n".utf8))
            exit(64)
        }
        let files = Array(arguments.dropFirst())
        let config = try AppConfig.load(from: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "benchmark")
        logger.logLevel = .warning
        let database = Database(url: config.database, maximumConnections: 4, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            let store = try makeBlobStore(location, database: database)
            var keys: [String] = []
            var bytes = 0
            let writeStart = ContinuousClock.now
            // As the worker writes an archive's images: one after another through putMany.
            try await store.putMany { writer in
                for file in files {
                    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                    let blob = try await writer.put(.contentAddressed(maxBytes: 1 << 40)) {
                        let data = try handle.read(upToCount: 1 << 20) ?? Data()
                        return data.isEmpty ? nil : ByteBuffer(data: data)
                    }
                    try handle.close()
                    keys.append(blob.key)
                    bytes += blob.size
                }
            }
            let writeSeconds = seconds(ContinuousClock.now - writeStart)
            let readStart = ContinuousClock.now
            var readBytes = 0
            for key in keys {
                try await store.read(key, range: nil) { readBytes += $0.readableBytes }
            }
            let readSeconds = seconds(ContinuousClock.now - readStart)
            for key in keys { try await store.delete(key) }
            let megabytes = Double(bytes) / 1_000_000
            print(String(format: "store=%@ files=%d MB=%.1f write_s=%.3f write_MBps=%.0f read_s=%.3f read_MBps=%.0f peak_rss_MB=%.1f",
                         arguments[0], files.count, megabytes, writeSeconds, megabytes / writeSeconds,
                         readSeconds, Double(readBytes) / 1_000_000 / readSeconds, peakRSSMegabytes()))
            group.cancelAll()
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// ru_maxrss is in kilobytes on Linux.
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

enum BlobStoreLocationParser {
    static func parse(_ value: String) -> BlobStoreLocation? {
        try? AppConfig.load(from: ["BLOB_STORE": value]).blobStore
    }
}
