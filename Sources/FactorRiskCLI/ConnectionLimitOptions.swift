import ArgumentParser
import FactorRiskHTTP

/// How long `serve` lets a connection idle or a request trickle in, and how many connections it
/// keeps open at once: what a slow, idle or flooding client can hold of the server.
struct ConnectionLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long a connection may stay idle, between requests or between the parts of one, before it is closed.",
                               valueName: "seconds"))
    var idleTimeout = 60

    @Option(help: ArgumentHelp("How long a request may take to arrive whole, from its first byte to its last, before the connection is closed.",
                               valueName: "seconds"))
    var requestTimeout = 30

    @Option(help: ArgumentHelp("Most connections open at once; past it a new connection is answered 503 and closed.", valueName: "count"))
    var maxConnections = 512

    func validate() throws {
        for (name, seconds) in [("--idle-timeout", idleTimeout), ("--request-timeout", requestTimeout)] where !(1...3600).contains(seconds) {
            throw ValidationError("\(name) must be from 1 to 3600 seconds")
        }
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be from 1 to 100000") }
    }

    /// `configuration` with the timeouts and connection cap of these options.
    func applied(to configuration: APIServer.Configuration) -> APIServer.Configuration {
        var limited = configuration
        limited.idleTimeout = .seconds(idleTimeout)
        limited.requestTimeout = .seconds(requestTimeout)
        limited.maxConnections = maxConnections
        return limited
    }
}
