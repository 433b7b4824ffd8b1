import FactorRiskPostgres
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The HTTP API: its router, and the application that serves it with the pool in one service group.
public enum APIServer {
    /// Bodies above this are refused with 413.
    public static let maxBodyBytes = 8 << 20

    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// How long a valid key is remembered before it is looked up again (0: every request).
        public var keyCacheSeconds: Int
        /// Live builds (answers as of a date with no live state) each key may start per minute; 0: no limit.
        public var liveBuildsPerMinute: Int

        public init(host: String = "127.0.0.1", port: Int = 8080, keyCacheSeconds: Int = 5, liveBuildsPerMinute: Int = 6) {
            self.host = host
            self.port = port
            self.keyCacheSeconds = keyCacheSeconds
            self.liveBuildsPerMinute = liveBuildsPerMinute
        }
    }

    /// Every route: operations at the root, the tenant API under `/v1` behind API keys.
    ///
    /// `metrics` holds this server's request series and is what `/metrics` prints; each server gets
    /// a registry of its own unless the caller hands one in, so servers in one process never mix counts.
    public static func router(
        pool: PGPool, configuration: Configuration, metrics registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        let metrics = RequestMetrics(registry: registry)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        let stores = PostgresStores(pool: pool)
        OpsController(operations: stores.operations, metrics: metrics).register(on: router)
        let auth = AuthMiddleware(keys: stores.keys, cache: KeyCache(seconds: configuration.keyCacheSeconds))
        let v1 = router.group("v1").add(middleware: auth)
        let reports = ReportsController(snapshots: stores.snapshots)
        LiveController(store: stores.live, limiter: LiveBuildLimiter(perMinute: configuration.liveBuildsPerMinute)).register(on: v1)
        reports.register(on: v1)
        WritesController(pool: pool).register(on: v1)
        // The analysts' HTML page of a snapshot, for a browser or a download; the same key.
        reports.registerPage(on: router.group("reports").add(middleware: auth))
        return router
    }

    /// The application; the pool closes after the server has drained on shutdown.
    public static func application(
        pool: PGPool, configuration: Configuration, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger = Logger(label: "factor-risk"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(pool: pool, configuration: configuration, metrics: metrics),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "factor-risk"),
            services: [PoolService(pool: pool)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}

/// The pool as a service: it lives until shutdown, then closes once the server has stopped.
struct PoolService: Service {
    let pool: PGPool

    func run() async throws {
        try? await gracefulShutdown()
        pool.close()
    }
}
