import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Shared

/// Builds the gateway. Start-up migrates the database and creates the first
/// superuser before the server accepts connections.
public func buildApplication(config: AppConfig, logger: Logger) async throws -> some ApplicationProtocol {
    let gateway = try await GatewayRoutes(config: config, logger: logger)
    var app = Application(
        router: gateway.router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "gateway"),
        services: gateway.services,
        logger: logger
    )
    app.beforeServerStarts(perform: gateway.prepareDatabase)
    return app
}

/// The router with every route, and what it needs running beside it.
struct GatewayRoutes {
    let router: Router<AppRequestContext>
    let services: [any Service]
    let prepareDatabase: @Sendable () async throws -> Void
}

extension GatewayRoutes {
    /// The routes below are the API's table of contents.
    init(config: AppConfig, logger: Logger) async throws {
        let database = Database(
            url: config.database, maximumConnections: config.databasePoolSize,
            limits: .init(config, boundingStatements: true), logger: logger
        )
        let migrator = try Migrator.fromDefaultLocation()
        let hasher = try await PasswordHasher(cost: config.bcryptCost)
        let tokens = await TokenService(secretKey: config.secretKey, lifetime: .seconds(config.accessTokenExpireMinutes * 60))
        let users = UsersRepository(database: database)

        let metrics = PrometheusCollectorRegistry()
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: EventLoopAffinityMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(registry: metrics))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ErrorMiddleware())

        router.addRoutes(HealthController(database: database, expectedSchemaVersion: migrator.latestVersion).endpoints)
        router.addRoutes(MetricsController(database: database, registry: metrics).endpoints)
        try router.addRoutes(OpenAPIController(documentation: APIDocumentation.fromDefaultLocation()).endpoints)

        let api = router.group("api/v1")
        api.addRoutes(
            LoginController(users: users, hasher: hasher, tokens: tokens, throttle: LoginThrottle(database: database, config: config)).endpoints,
            atPath: "login"
        )

        let callers = CallerCache()
        let authenticator = BearerAuthenticator(tokens: tokens, users: users, callers: callers)
        let signer = MediaURLSigner(secretKey: config.secretKey, lifetime: config.mediaURLTTLSeconds, publicBaseURL: config.publicBaseURL)
        let blobs = try makeBlobStore(config.blobStore, database: database)
        let uploadSlots = UploadSlots(maxTotal: config.maxConcurrentUploads, maxPerUser: config.maxConcurrentUploadsPerUser)
        let media = MediaController(
            media: MediaRepository(database: database), blobs: blobs, signer: signer,
            authenticator: authenticator, slots: uploadSlots, maxUploadBytes: config.maxUploadBytes
        )
        api.addRoutes(media.contentEndpoints, atPath: "media")

        let authenticated = api.group()
            .add(middleware: authenticator)
            .group(context: AuthenticatedContext.self)
        authenticated.addRoutes(UsersController(users: users, hasher: hasher).endpoints, atPath: "users")
        authenticated.addRoutes(
            OrganizationsController(organizations: OrganizationsRepository(database: database), callers: callers).endpoints,
            atPath: "organizations"
        )
        authenticated.addRoutes(CatalogController(repository: ShotTypesRepository(database: database)).endpoints, atPath: "shot-types")
        authenticated.addRoutes(CatalogController(repository: SubjectsRepository(database: database)).endpoints, atPath: "subjects")
        authenticated.addRoutes(
            CatalogController(repository: BackgroundPresetsRepository(database: database)).endpoints, atPath: "background-presets"
        )
        authenticated.addRoutes(CatalogController(repository: ShootingGuidelinesRepository(database: database)).endpoints, atPath: "guidelines")
        authenticated.addRoutes(
            ShotTypeRulesController(rules: ShotTypeRulesRepository(database: database)).endpoints,
            atPath: "guidelines/:guidelines_id/shot-type-rules"
        )
        authenticated.addRoutes(media.endpoints, atPath: "media")
        authenticated.addRoutes(
            SetDesignsController(
                repository: SetDesignsRepository(database: database, signer: signer), blobs: blobs,
                operatorsWebhookConfigured: config.operatorsWebhookURL != nil
            ).endpoints,
            atPath: "set-designs"
        )
        authenticated.addRoutes(BaseImagesController(database: database, signer: signer, slots: uploadSlots).endpoints, atPath: "set-designs")
        // tus: Tus-Resumable on every answer, errors and 401s included; OPTIONS without credentials.
        let resumable = ResumableUploadsController(
            database: database, blobs: blobs, slots: uploadSlots, signer: signer, maxUploadBytes: config.maxUploadBytes,
            ttl: .seconds(config.resumableUploadTTLSeconds)
        )
        let tus = api.group("set-designs").add(middleware: TusProtocolMiddleware())
        tus.addRoutes(resumable.discoveryEndpoints)
        tus.add(middleware: authenticator).group(context: AuthenticatedContext.self).addRoutes(resumable.endpoints)
        let progress = UploadTaskProgressHub(database: database, logger: logger)
        authenticated.addRoutes(
            UploadTasksController(
                database: database, blobs: blobs, hub: progress, slots: uploadSlots, maxUploadBytes: config.maxUploadBytes,
                keepAliveInterval: .seconds(config.progressKeepAliveSeconds)
            ).endpoints,
            atPath: "set-designs"
        )

        self.router = router
        services = [database.client, progress.listener, callers.listener(database: database, logger: logger), hasher]
        prepareDatabase = {
            try await migrator.migrate(database.client.postgres, logger: logger)
            try await users.ensureFirstSuperuser(
                email: config.firstSuperuser,
                hashedPassword: { try await hasher.hash(config.firstSuperuserPassword) },
                logger: logger
            )
        }
    }
}
