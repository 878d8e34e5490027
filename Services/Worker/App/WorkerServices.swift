import Logging
import ServiceLifecycle
import Shared

/// Assembles the worker's services into one group with graceful shutdown on SIGTERM and SIGINT.
public enum WorkerServices {
    public static func serviceGroup(config: AppConfig, logger: Logger) throws -> ServiceGroup {
        let database = Database(url: config.database, maximumConnections: 2 * config.workerConcurrency + 4, logger: logger)
        let metrics = WorkerMetrics()
        let uploads = UploadTaskWorker(
            database: database, blobs: try makeBlobStore(config.blobStore, database: database),
            configuration: UploadTaskWorker.Configuration(config: config), metrics: metrics, logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: database.client),
            .init(service: uploads, successTerminationBehavior: .gracefullyShutdownGroup),
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
