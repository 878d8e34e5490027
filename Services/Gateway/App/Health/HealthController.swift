import Hummingbird
import Shared

/// `/healthz` (the process answers) and `/readyz` (the database answers and
/// its schema is the one this build expects): for load balancers and systemd.
struct HealthController {
    let database: Database
    let expectedSchemaVersion: Int

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("healthz", use: healthz)
        routes.get("readyz", use: readyz)
        return routes
    }

    @Sendable func healthz(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        JSONResponse(.object(["status": "ok"]))
    }

    @Sendable func readyz(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let version: Int
        do {
            version = try await Migrator.currentVersion(database.client.postgres, logger: context.logger)
        } catch {
            context.logger.warning("readiness check: database unreachable", metadata: ["error": "\(error)"])
            return JSONResponse(.object(["detail": "database unreachable"]), status: .serviceUnavailable)
        }
        guard version >= expectedSchemaVersion else {
            return JSONResponse(
                .object(["detail": .string("schema version \(version), expected \(expectedSchemaVersion)")]),
                status: .serviceUnavailable
            )
        }
        return JSONResponse(.object(["status": "ready", "schema_version": .int(version)]))
    }
}
