import Logging
import ServiceLifecycle
import Shared

/// Assembles the worker's services into one group with graceful shutdown on SIGTERM and SIGINT.
public enum WorkerServices {
    public static func serviceGroup(config: AppConfig, logger: Logger) -> ServiceGroup {
        let database = Database(url: config.database, maximumConnections: config.workerConcurrency + 4, logger: logger)
        let listener = UploadTaskListener(database: database, logger: logger) { taskID in
            logger.debug("task notification", metadata: ["task_id": "\(taskID)"])
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: database.client),
            .init(service: listener, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let webhook = config.operatorsWebhookURL {
            var configuration = OperatorNotificationSender.Configuration(webhookURL: webhook)
            configuration.pollInterval = .milliseconds(Int(config.workerPollSeconds * 1000))
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
