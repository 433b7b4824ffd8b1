import CLibPQ

extension PGConnection {
    /// One statement of a pipeline.
    public enum PipelineStep {
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
        guard PQenterPipelineMode(handle) == 1 else {
            throw PGError(connection: handle, kind: .query, prefix: "cannot enter pipeline mode")
        }
        // What each result read back is: a step's result (kept), or the preparation of a statement.
        enum Expected {
            case result
            case preparation(String)
        }
        var expected: [Expected] = []
        var sendError: PGError?
        for step in steps where sendError == nil {
            let sent: Int32
            switch step {
            case .statement(let sql, let parameters):
                let texts = parameters.map { $0?.pgText }
                sent = withOptionalCStringArray(texts) { PQsendQueryParams(handle, sql, Int32(texts.count), nil, $0, nil, nil, 0) }
                if sent == 1 { expected.append(.result) }
            case .prepared(let statement, let parameters):
                if !prepared.contains(statement.name) && !expected.contains(where: {
                    if case .preparation(statement.name) = $0 { true } else { false }
                }) {
                    guard PQsendPrepare(handle, statement.name, statement.sql, 0, nil) == 1 else {
                        sendError = PGError(connection: handle, kind: .query, prefix: "cannot send a statement")
                        continue
                    }
                    expected.append(.preparation(statement.name))
                }
                let texts = parameters.map { $0?.pgText }
                sent = withOptionalCStringArray(texts) { PQsendQueryPrepared(handle, statement.name, Int32(texts.count), $0, nil, nil, 0) }
                if sent == 1 { expected.append(.result) }
            }
            if sent != 1 { sendError = PGError(connection: handle, kind: .query, prefix: "cannot send a statement") }
        }
        guard PQpipelineSync(handle) == 1 else {
            let error = PGError(connection: handle, kind: .connectionLost, prefix: "cannot send the pipeline")
            PQexitPipelineMode(handle)
            throw error
        }
        var results: [PGResult] = []
        var firstError: PGError? = sendError
        for item in expected {
            guard let result = PQgetResult(handle) else {
                firstError = firstError ?? PGError(connection: handle, kind: .connectionLost, prefix: "the server sent no result")
                break
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
                switch item {
                case .result: results.append(PGResult(result))
                case .preparation(let name):
                    prepared.insert(name)
                    PQclear(result)
                }
            } else {
                firstError = firstError ?? PGError(result: result, connection: handle)
                PQclear(result)
            }
            // Each statement's results end with a null.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync point, then back to one statement at a time.
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        PQexitPipelineMode(handle)
        if let firstError {
            if isHealthy, inTransaction { _ = try? execute("ROLLBACK") }
            throw firstError
        }
        return results
    }
}
