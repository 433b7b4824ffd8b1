import ArgumentParser
import FactorRiskHTTP
import Foundation
import FactorRiskPostgres
import Logging

/// `factor-risk serve`: the HTTP API, until SIGTERM or SIGINT (in-flight requests finish first).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (live answers, reports, writes) until SIGTERM."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Database connections of the pool.")
    var connections = 16

    @Option(help: "Seconds a valid API key is remembered before it is looked up again (0: every request).")
    var keyCacheSeconds = 5

    @OptionGroup var limits: ConnectionLimitOptions
    @Option(help: "Live builds (answers as of a date with no live state yet) each API key may start per minute; beyond, 429 (0: no limit).")
    var liveBuildsPerMinute = 6
    @Option(help: ArgumentHelp("How long a statement of a what-if scenario (POST /v1/scenarios, GET /v1/scenarios/worst) may run before it is stopped and answered 503.",
                               valueName: "seconds"))
    var scenarioTimeout = 60

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (1...500).contains(connections) else { throw ValidationError("--connections must be from 1 to 500") }
        guard keyCacheSeconds >= 0 else { throw ValidationError("--key-cache-seconds may not be negative") }
        guard (0...10_000).contains(liveBuildsPerMinute) else { throw ValidationError("--live-builds-per-minute must be from 0 to 10000") }
        guard (1...3600).contains(scenarioTimeout) else { throw ValidationError("--scenario-timeout must be from 1 to 3600 seconds") }
    }

    func run() async throws {
        let configuration = limits.applied(to: APIServer.Configuration(
            host: host, port: port, keyCacheSeconds: keyCacheSeconds, liveBuildsPerMinute: liveBuildsPerMinute,
            scenarioTimeout: .seconds(scenarioTimeout)))
        let target = database.targetDescription
        var logger = Logger(label: "factor-risk")
        logger.logLevel = .notice
        try await database.withDatabase(maxConnections: connections) { pool in
            let application = APIServer.application(pool: pool, configuration: configuration, logger: logger) { port in
                // Written at once, unbuffered: a supervisor or a script may be waiting for this line.
                FileHandle.standardOutput.write(Data("factor-risk serving http://\(configuration.host):\(port) on \(target)\n".utf8))
            }
            try await application.runService()
        }
    }
}
