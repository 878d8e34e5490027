import Logging
import ServiceLifecycle
import Shared

/// Assembles the worker's services into one group with graceful shutdown on SIGTERM and SIGINT.
public enum WorkerServices {
    public static func serviceGroup(config: AppConfig, logger: Logger) throws -> ServiceGroup {
        let database = Database(
            url: config.database, maximumConnections: 2 * config.workerConcurrency + 4,
            limits: .init(config, boundingStatements: false), logger: logger
        )
        let metrics = WorkerMetrics()
        let blobs = try makeBlobStore(config.blobStore, database: database)
        let uploads = UploadTaskWorker(
            database: database, blobs: blobs,
            configuration: UploadTaskWorker.Configuration(config: config), metrics: metrics, logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: database.client),
            .init(service: uploads, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: UploadSweeper(database: database, blobs: blobs, configuration: .init(config: config), logger: logger)),
            .init(service: EndedArchiveSweeper(database: database, blobs: blobs, configuration: .init(config: config), logger: logger)),
        ]
        if let port = config.metricsPort {
            services.append(.init(service: metrics.server(host: config.host, port: port, logger: logger)))
        }
        if let webhook = config.operatorsWebhookURL {
            let configuration = OperatorNotificationSender.Configuration(webhookURL: webhook, config: config)
            services.append(.init(service: OperatorNotificationSender(database: database, configuration: configuration, logger: logger)))
        }
        return ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
    }
}
