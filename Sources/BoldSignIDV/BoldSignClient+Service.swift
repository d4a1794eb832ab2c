#if ServiceLifecycle
import ServiceLifecycle

/// Run the client in a swift-service-lifecycle `ServiceGroup` beside your own services: on graceful
/// shutdown (SIGTERM, say) it stops taking requests, gives those in flight
/// ``Configuration/shutdownGracePeriod`` to finish, cancels the rest and stops its threads.
///
/// ```swift
/// let client = try BoldSignClient(configuration: configuration)
/// let group = ServiceGroup(services: [client, webhookServer], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
extension BoldSignClient: Service {
    /// Waits for the group's graceful shutdown (or cancellation), then shuts the client down.
    public func run() async throws {
        // Returns when graceful shutdown is triggered; throws when the task is cancelled instead.
        let graceful = (try? await gracefulShutdown()) != nil
        if graceful {
            await shutdown(gracePeriod: configuration.shutdownGracePeriod)
        } else {
            await shutdown()
        }
    }
}
#endif
