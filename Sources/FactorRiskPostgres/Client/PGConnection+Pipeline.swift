import CLibPQ

extension PGConnection {
    /// One statement of a pipeline.
    public enum PipelineStep: Sendable {
        /// A statement with its parameters sent apart (`$1`, `$2`, …).
        case statement(String, [(any PGBindable)?] = [])
        /// A named prepared statement, prepared in the same pipeline the first time.
        case prepared(PGStatement, [(any PGBindable)?])
    }

    /// Sends every step at once and reads their results in order: the whole list costs one round
    /// trip to the server instead of one per statement (libpq's pipeline mode).
    ///
    /// A step that fails makes the server skip the ones after it; every result is still read,
    /// an open transaction is rolled back, and then the first error is thrown, so the connection
    /// is ready for the next caller either way.
    public func pipeline(_ steps: [PipelineStep]) throws -> [PGResult] {
        var reading = try sendPipeline(steps)
        while !reading.accept(PQgetResult(handle), on: self) {}
        PQexitPipelineMode(handle)
        if let error = reading.firstError {
            if isHealthy, inTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
        return reading.results
    }

    /// `pipeline(_:)` without blocking a thread: the statements are sent from the caller's thread
    /// in non-blocking mode, and the task waits for the answer through `SocketReadiness`.
    func pipelineWithoutBlocking(_ steps: [PipelineStep]) async throws -> [PGResult] {
        guard PQsetnonblocking(handle, 1) == 0 else {
            throw PGError(connection: handle, kind: .query, prefix: "cannot make the connection non-blocking")
        }
        defer { PQsetnonblocking(handle, 0) }
        let socket = PQsocket(handle)
        var reading = try sendPipeline(steps)
        do {
            // Everything out (a large pipeline may fill the socket's buffer), then every result in.
            while true {
                let flushed = PQflush(handle)
                if flushed == 0 { break }
                guard flushed == 1 else { throw PGError(connection: handle, kind: .connectionLost, prefix: "cannot send the pipeline") }
                try await SocketReadiness.shared.wait(socket, writable: true)
                guard PQconsumeInput(handle) == 1 else { throw PGError(connection: handle, kind: .connectionLost, prefix: "lost the database connection") }
            }
            while true {
                while PQisBusy(handle) == 1 {
                    try await SocketReadiness.shared.wait(socket)
                    guard PQconsumeInput(handle) == 1 else { throw PGError(connection: handle, kind: .connectionLost, prefix: "lost the database connection") }
                }
                if reading.accept(PQgetResult(handle), on: self) { break }
            }
        } catch {
            PQexitPipelineMode(handle)
            throw error
        }
        PQexitPipelineMode(handle)
        if let error = reading.firstError {
            if isHealthy, inTransaction { _ = try? await pipelineWithoutBlocking([.statement("ROLLBACK")]) }
            throw error
        }
        return reading.results
    }

    /// Enters pipeline mode and sends `steps` and the sync point; returns what to read back.
    private func sendPipeline(_ steps: [PipelineStep]) throws -> PipelineReading {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PGError(connection: handle, kind: .query, prefix: "cannot enter pipeline mode")
        }
        var reading = PipelineReading()
        for step in steps where reading.firstError == nil {
            let sent: Int32
            switch step {
            case .statement(let sql, let parameters):
                let texts = parameters.map { $0?.pgText }
                sent = withOptionalCStringArray(texts) { PQsendQueryParams(handle, sql, Int32(texts.count), nil, $0, nil, nil, 0) }
                if sent == 1 { reading.expected.append(.result) }
            case .prepared(let statement, let parameters):
                if !prepared.contains(statement.name) && !reading.expected.contains(.preparation(statement.name)) {
                    guard PQsendPrepare(handle, statement.name, statement.sql, 0, nil) == 1 else {
                        reading.firstError = PGError(connection: handle, kind: .query, prefix: "cannot send a statement")
                        continue
                    }
                    reading.expected.append(.preparation(statement.name))
                }
                let texts = parameters.map { $0?.pgText }
                sent = withOptionalCStringArray(texts) { PQsendQueryPrepared(handle, statement.name, Int32(texts.count), $0, nil, nil, 0) }
                if sent == 1 { reading.expected.append(.result) }
            }
            if sent != 1 { reading.firstError = PGError(connection: handle, kind: .query, prefix: "cannot send a statement") }
        }
        guard PQpipelineSync(handle) == 1 else {
            let error = PGError(connection: handle, kind: .connectionLost, prefix: "cannot send the pipeline")
            PQexitPipelineMode(handle)
            throw error
        }
        return reading
    }
}

/// What a pipeline sends back, read one `PQgetResult` at a time: each step's result followed by
/// the null that ends it, then the sync point.
struct PipelineReading {
    /// What each result read back is: a step's result (kept), or the preparation of a statement.
    enum Expected: Equatable {
        case result
        case preparation(String)
    }

    var expected: [Expected] = []
    var results: [PGResult] = []
    var firstError: PGError?
    private var next = 0
    /// Whether the null that ends the current step's results is still to come.
    private var inStep = false

    /// Takes the next value of `PQgetResult`; true once the pipeline has been read to its end.
    mutating func accept(_ result: OpaquePointer?, on connection: PGConnection) -> Bool {
        if inStep {
            // Each statement's results end with a null.
            if let result { PQclear(result) } else { inStep = false; next += 1 }
            return false
        }
        if next < expected.count {
            guard let result else {
                // Nothing more for the steps: read on to the sync point (a lost connection ends there at once).
                firstError = firstError ?? PGError(connection: connection.handle, kind: .connectionLost, prefix: "the server sent no result")
                next = expected.count
                return false
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
                switch expected[next] {
                case .result: results.append(PGResult(result))
                case .preparation(let name):
                    connection.prepared.insert(name)
                    PQclear(result)
                }
            } else {
                firstError = firstError ?? PGError(result: result, connection: connection.handle)
                PQclear(result)
            }
            inStep = true
            return false
        }
        // The sync point, then back to one statement at a time.
        guard let result else { return true }
        let status = PQresultStatus(result)
        PQclear(result)
        return status == PGRES_PIPELINE_SYNC
    }
}
