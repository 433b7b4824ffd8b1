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
        /// How long a connection may sit between requests (keep-alive) or between the parts of one
        /// before it is closed: idle sockets are not left to pile up.
        public var idleTimeout: Duration
        /// How long a request may take to arrive whole, from its first byte to its last: a client
        /// trickling a header or a body cannot hold a connection.
        public var requestTimeout: Duration
        /// The most connections open at once; past it a connection is answered 503 and closed.
        public var maxConnections: Int
        /// Live builds (answers as of a date with no live state) each key may start per minute; 0: no limit.
        public var liveBuildsPerMinute: Int
        /// How long each statement of a what-if scenario or ranking may run before it is stopped
        /// and answered 503 (one costs as much as a tenant's recalculation).
        public var scenarioTimeout: Duration

        public init(host: String = "127.0.0.1", port: Int = 8080, keyCacheSeconds: Int = 5,
                    idleTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(30), maxConnections: Int = 512,
                    liveBuildsPerMinute: Int = 6, scenarioTimeout: Duration = .seconds(60)) {
            self.host = host
            self.port = port
            self.keyCacheSeconds = keyCacheSeconds
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
            self.liveBuildsPerMinute = liveBuildsPerMinute
            self.scenarioTimeout = scenarioTimeout
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
        router.add(middleware: ErrorMiddleware(throttle: ErrorLogThrottle()))
        let stores = PostgresStores(pool: pool)
        OpsController(operations: stores.operations, metrics: metrics).register(on: router)
        let auth = AuthMiddleware(keys: stores.keys, cache: KeyCache(seconds: configuration.keyCacheSeconds))
        let v1 = router.group("v1").add(middleware: auth)
        let reports = ReportsController(snapshots: stores.snapshots)
        LiveController(store: stores.live, limiter: LiveBuildLimiter(perMinute: configuration.liveBuildsPerMinute)).register(on: v1)
        reports.register(on: v1)
        WritesController(documents: stores.documents, decisions: stores.decisions).register(on: v1)
        LimitsController(store: stores.decisions).register(on: v1)
        ScenariosController(store: stores.scenarios, timeout: configuration.scenarioTimeout).register(on: v1)
        // The analysts' HTML page of a snapshot, for a browser or a download; the same key.
        reports.registerPage(on: router.group("reports").add(middleware: auth))
        // Last, once every route is known: it only sees requests that matched none.
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    /// The application; the pool closes after the server has drained on shutdown.
    public static func application(
        pool: PGPool, configuration: Configuration, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger = Logger(label: "factor-risk"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(pool: pool, configuration: configuration, metrics: metrics),
            server: .guardedHTTP1(configuration),
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
