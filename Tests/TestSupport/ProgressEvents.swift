import AsyncHTTPClient
import Foundation
import PostgresNIO
import Shared
import Testing

/// An upload task's live progress stream, opened over HTTP and read as it arrives.
public enum ProgressEvents {
    /// Reads server-sent events off a streaming response body.
    public struct EventReader {
        var body: HTTPClientResponse.Body.AsyncIterator
        var pending = ""

        /// The next block up to a blank line: an event or a comment.
        public mutating func next() async throws -> String? {
            while true {
                if let end = pending.range(of: "\n\n") {
                    let block = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    return block
                }
                guard let chunk = try await body.next() else { return nil }
                pending += String(buffer: chunk)
            }
        }

        /// The next `progress` event's task, skipping keep-alives.
        public mutating func nextTask() async throws -> JSONValue? {
            while let block = try await next() {
                guard let data = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { continue }
                #expect(block.contains("event: progress") && block.hasPrefix("id: "))
                return try JSONParser.parse(Array(data.dropFirst(6).utf8))
            }
            return nil
        }
    }

    public static func open(
        _ api: GatewayClient, through baseURL: String? = nil, task: UUID, token: String, lastEventID: String? = nil
    ) async throws -> (HTTPClientResponse, EventReader) {
        let base = baseURL ?? "http://127.0.0.1:\(api.port)"
        var request = HTTPClientRequest(url: "\(base)/api/v1/set-designs/upload-tasks/\(task)/events")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response, EventReader(body: response.body.makeAsyncIterator()))
    }

    /// Changes the task as a worker would: a row update and its notification.
    public static func change(_ api: GatewayClient, task: UUID, _ assignments: String) async throws {
        try await TestDatabase.withClient(api.databaseURL) { client in
            try await client.query(
                PostgresQuery(unsafeSQL: "UPDATE upload_tasks SET \(assignments), updated_at = clock_timestamp() WHERE id = '\(task)'")
            )
            try await client.query("SELECT pg_notify('upload_task_progress', \(task.uuidString.lowercased()))")
        }
    }
}
