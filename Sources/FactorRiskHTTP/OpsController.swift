import FactorRiskPostgres
import Hummingbird
import Prometheus

/// What operators and orchestrators ask: alive, ready, metrics, and the API's own description.
struct OpsController {
    let operations: any OperationsStore
    let metrics: RequestMetrics

    func register(on router: Router<APIContext>) {
        router.get("healthz") { _, _ in Response.json(.object([("status", .string("ok"))])) }
        router.get("readyz", use: ready)
        router.get("metrics", use: exposition)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.served)))
        }
    }

    /// Ready when the database answers and every migration this build carries is applied.
    @Sendable func ready(_ request: Request, context: APIContext) async throws -> Response {
        let report: Migrator.Report
        do {
            report = try await operations.migrationStatus()
        } catch let error as Migrator.Failure {
            throw APIError(.serviceUnavailable, "not_ready", "the schema does not match this build: \(error)")
        }
        let expected = Migration.bundled.count
        guard report.pending.isEmpty else {
            throw APIError(.serviceUnavailable, "not_ready", "\(report.pending.count) of \(expected) migrations are not applied: run factor-risk migrate")
        }
        return .json(.object([
            ("status", .string("ready")),
            ("migrations", .object([("applied", .integer(Int64(report.applied.count))), ("expected", .integer(Int64(expected)))])),
        ]))
    }

    /// Prometheus text: requests and latency by route, pool use, and each tenant's last recalculation.
    ///
    /// The route needs no key (scrapers rarely carry one, and it spans tenants), so nothing in it names
    /// a tenant: the recalculation gauge is labelled by the numeric `tenant_id` an operator can look up.
    ///
    /// The gauges are read when scraped, into a registry of their own made for this answer: a tenant
    /// whose snapshots are gone leaves no stale series behind, and their help lines are kept.
    @Sendable func exposition(_ request: Request, context: APIContext) async throws -> Response {
        let gauges = PrometheusCollectorRegistry()
        let usage = operations.poolUsage
        let connections = MetricNameDescriptor(
            namespace: "factor_risk", subsystem: "pool", metricName: "connections", unitName: "",
            helpText: "Database connections of the pool, by state.")
        gauges.makeGauge(descriptor: connections, labels: [("state", "open")]).set(Int64(usage.open))
        gauges.makeGauge(descriptor: connections, labels: [("state", "idle")]).set(Int64(usage.idle))
        gauges.makeGauge(descriptor: connections, labels: [("state", "in_use")]).set(Int64(usage.open - usage.idle))
        gauges.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "factor_risk", subsystem: "pool", metricName: "waiting", unitName: "",
            helpText: "Requests waiting for a database connection.")).set(Int64(usage.waiting))
        let recalcs = try? await operations.lastRecalculations()
        let lastRecalc = MetricNameDescriptor(
            namespace: "factor_risk", metricName: "last_recalc_timestamp", unitName: "seconds",
            helpText: "When each tenant's latest snapshot was computed (Unix time), by numeric tenant id.")
        for (tenant, seconds, asOf) in recalcs ?? [] {
            gauges.makeGauge(descriptor: lastRecalc, labels: [("tenant_id", String(tenant)), ("as_of", asOf.description)]).set(seconds)
        }
        var text = metrics.registry.emitToBuffer()
        gauges.emit(into: &text)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}
