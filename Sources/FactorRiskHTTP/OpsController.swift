import FactorRiskPostgres
import Hummingbird

/// What operators and orchestrators ask: alive, ready, metrics, and the API's own description.
struct OpsController {
    let pool: PGPool
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
            report = try await pool.withConnection { try Migrator().status($0) }
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
    @Sendable func exposition(_ request: Request, context: APIContext) async throws -> Response {
        var text = metrics.exposition()
        let usage = pool.usage
        text += "# HELP factor_risk_pool_connections Database connections of the pool, by state.\n"
        text += "# TYPE factor_risk_pool_connections gauge\n"
        text += "factor_risk_pool_connections{state=\"open\"} \(usage.open)\n"
        text += "factor_risk_pool_connections{state=\"idle\"} \(usage.idle)\n"
        text += "factor_risk_pool_connections{state=\"in_use\"} \(usage.open - usage.idle)\n"
        text += "# HELP factor_risk_pool_waiting Requests waiting for a database connection.\n"
        text += "# TYPE factor_risk_pool_waiting gauge\n"
        text += "factor_risk_pool_waiting \(usage.waiting)\n"
        // Across tenants, as the owner: an operator's view, never served under /v1.
        let recalcs = try? await pool.withConnection { connection in
            try connection.query("""
                SELECT t.tenant_ref, extract(epoch FROM max(s.computed_at))::bigint, max(s.as_of)::text
                FROM snapshots s JOIN tenants t ON t.tenant_id = s.tenant_id GROUP BY t.tenant_ref ORDER BY t.tenant_ref
                """).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(String.self, at: 2)) }
        }
        text += "# HELP factor_risk_last_recalc_timestamp_seconds When each tenant's latest snapshot was computed (Unix time).\n"
        text += "# TYPE factor_risk_last_recalc_timestamp_seconds gauge\n"
        for (tenant, seconds, asOf) in recalcs ?? [] {
            let label = tenant.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            text += "factor_risk_last_recalc_timestamp_seconds{tenant=\"\(label)\",as_of=\"\(asOf)\"} \(seconds)\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
