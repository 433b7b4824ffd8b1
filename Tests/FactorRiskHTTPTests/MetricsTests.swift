import FactorRiskTestSupport
import Testing

/// Issue 14: `/metrics` listed every tenant's reference to anyone who asked.
@Suite("/metrics names no tenant")
struct MetricsTests {
    @Test("/metrics, which needs no key, names no tenant: the last recalculation is labelled by tenant id")
    func metricsNameNoTenant() async throws {
        try await APIHarness.run("api-metrics") { api in
            _ = try await api.client(api.read).get("/v1/debtors/D1/exposure")
            let metrics = try await api.client(nil).get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("factor_risk_last_recalc_timestamp_seconds{tenant_id=\"\(api.demo)\",as_of=\"2026-11-20\"}"), "\(metrics.body)")
            #expect(!metrics.body.contains("demo"))
            #expect(!metrics.body.contains("tenant=\""))
        }
    }
}
