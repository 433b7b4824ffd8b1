import FactorRiskHTTP
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// Issue 14: a slow or idle client cannot hold the server, and a flood of connections is capped.
///
/// These need no database: `/healthz` answers without one, so the pool points nowhere.
@Suite("connection limits: idle and request timeouts, the connection cap")
struct ServerLimitsTests {
    static func withServer(_ configuration: APIServer.Configuration, _ test: @Sendable (Int, HTTPTestClient) async throws -> Void) async throws {
        let pool = PGPool(.init(conninfo: "host=/nonexistent-factor-risk-socket connect_timeout=1", maxConnections: 1))
        let application = APIServer.application(pool: pool, configuration: configuration)
        try await application.test(.live) { live in
            try await test(try #require(live.port), HTTPTestClient(live))
        }
    }

    @Test("a client that connects and sends nothing is closed within the idle timeout")
    func idleClientIsClosed() async throws {
        let configuration = APIServer.Configuration(host: "127.0.0.1", port: 0, idleTimeout: .seconds(1), requestTimeout: .seconds(30))
        try await Self.withServer(configuration) { port, _ in
            let idle = try RawConnection(port: port)
            #expect(await idle.readUntilClosed(within: 5) == "", "the idle connection is still open after 5 s")
        }
    }

    @Test("a client that sends half a header, or trickles it, is closed within the request timeout")
    func slowHeaderIsClosed() async throws {
        let configuration = APIServer.Configuration(host: "127.0.0.1", port: 0, idleTimeout: .seconds(600), requestTimeout: .seconds(1))
        try await Self.withServer(configuration) { port, client in
            let half = try RawConnection(port: port)
            half.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
            #expect(await half.readUntilClosed(within: 20) == "", "a half header held the connection for 20 s")
            // One header byte every 300 ms keeps no idle timer from firing, but the request's own clock runs.
            let trickle = try RawConnection(port: port)
            let started = ContinuousClock.now
            var closed: String?
            // 150 bytes at 300 ms: 45 s if nothing closed it; the idle timeout is 600 s.
            for byte in "GET /healthz HTTP/1.1\r\nX-Slow: \(String(repeating: "a", count: 127))".map(String.init) {
                trickle.send(byte)
                closed = await trickle.readUntilClosed(within: 0.3)
                if closed != nil { break }
            }
            #expect(closed == "", "a trickled header held the connection")
            // 1 s, with room for a loaded machine; far below the idle timeout.
            #expect(ContinuousClock.now - started < .seconds(45))
            // A whole request on a fresh connection is still answered.
            #expect(try await client.get("/healthz").status == 200)
        }
    }

    @Test("past the connection cap a new connection is answered 503 and closed; the server keeps answering once a place is free")
    func connectionCap() async throws {
        let configuration = APIServer.Configuration(host: "127.0.0.1", port: 0, idleTimeout: .seconds(60), maxConnections: 3)
        try await Self.withServer(configuration) { port, _ in
            // The live test client holds one place; two idle sockets take the rest.
            var held = try (0..<2).map { _ in try RawConnection(port: port) }
            try await Task.sleep(for: .milliseconds(200))
            let refused = try RawConnection(port: port)
            let answer = await refused.readUntilClosed(within: 5)
            #expect(answer?.hasPrefix("HTTP/1.1 503") == true, "\(answer ?? "still open")")
            #expect(answer?.contains("too_many_connections") == true)
            // Closing one frees its place (as soon as the server has seen it close): a new client is served.
            held.removeFirst()
            var response: String?
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(200))
                let served = try RawConnection(port: port)
                served.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                response = await served.readUntilClosed(within: 5)
                if response?.hasPrefix("HTTP/1.1 200") == true { break }
            }
            #expect(response?.hasPrefix("HTTP/1.1 200") == true, "\(response.map { String($0.prefix(300)) } ?? "no answer")")
            withExtendedLifetime(held) {}
        }
    }
}
