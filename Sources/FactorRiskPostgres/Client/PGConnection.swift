import CLibPQ
import Glibc
import Synchronization

/// One libpq connection to PostgreSQL.
///
/// libpq's rule is one thread at a time per `PGconn`. This type does not lock: it is owned by
/// exactly one user at a time, which the pool guarantees by running all work for a connection on
/// that connection's own dedicated thread (see `PGPool`). That is what the `@unchecked Sendable`
/// rests on. The only member safe from any thread is `cancelCurrentQuery()`, which uses libpq's
/// thread-safe `PGcancel` object.
///
/// Every call blocks its thread until the server answers, so none of them may run on Swift's
/// cooperative thread pool or an event loop: use the pool, which keeps them on their own threads.
public final class PGConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private let cancelBox: CancelBox
    /// Names of the statements prepared on this connection, so each is prepared once per session.
    var prepared: Set<String> = []

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - conninfo: a `postgresql://` URL or a `key=value` conninfo string.
    ///   - connectTimeout: seconds before an unreachable server is given up on (libpq's `connect_timeout`).
    ///   - applicationName: shown in `pg_stat_activity`.
    public init(conninfo: String, connectTimeout: Int = 5, applicationName: String = "factor-risk") throws {
        // Our defaults come before the caller's string, so what the caller's URL says wins;
        // client_encoding comes after it: every text we exchange is UTF-8.
        let keywords = ["connect_timeout", "application_name", "dbname", "client_encoding"]
        let values = [String(connectTimeout), applicationName, conninfo, "UTF8"]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PGError(.connection, message: "cannot allocate a libpq connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PGError(connection: connection, kind: .connection, prefix: "cannot connect to PostgreSQL")
            PQfinish(connection)
            throw error
        }
        // Server notices (and the last words of a session the server ends) go to the server's
        // log, not to our standard error.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        cancelBox = CancelBox(PQgetCancel(connection))
        // Fixed session settings our decoders rely on (ISO dates, UTC); notices stay in the server log.
        // In the same round trip: whether the database is distributed by Citus.
        let distributed = try execute("""
            SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'; SET client_min_messages = 'warning';
            SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')
            """)
        isDistributed = try distributed.first?.decode(Bool.self, at: 0) ?? false
    }

    /// Whether the database has the Citus extension (deploy/citus/). The statements are the same
    /// either way; only how some are planned differs (`LiveEngine.recordChanges`).
    public private(set) var isDistributed = false

    deinit {
        cancelBox.clear()
        PQfinish(handle)
    }

    /// Whether libpq still considers the connection usable.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether the connection can be handed to its next user as it is: healthy, back in blocking
    /// mode, out of pipeline mode.
    var isReusable: Bool {
        isHealthy && PQpipelineStatus(handle) == PQ_PIPELINE_OFF && PQisnonblocking(handle) == 0
    }

    /// Whether a transaction is open (or failed and awaiting ROLLBACK) on this connection.
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The server's version as a number, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The server process serving this connection.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Checks, without waiting, whether an idle connection has been closed by the server
    /// (a restart sends a termination message and closes the socket).
    ///
    /// Returns false when the connection is no longer usable.
    public func isStillOpenWhileIdle() -> Bool {
        guard isHealthy else { return false }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        // Nothing should arrive on an idle connection but a termination notice or end-of-file
        // (we use no LISTEN): anything readable means the server is done with this session.
        return poll(&descriptor, 1, 0) == 0
    }

    /// Asks the server to cancel whatever this connection is running. Safe from any thread.
    public func cancelCurrentQuery() {
        cancelBox.cancel()
    }

    // MARK: Statements

    /// Runs one or more statements with no parameters (the simple query protocol), returning the last result.
    ///
    /// For scripts such as migrations. Values never go in here: use `query(_:_:)`.
    @discardableResult
    public func execute(_ sql: String) throws -> PGResult {
        let result = PQexec(handle, sql)
        return try checked(result)
    }

    /// Runs one statement with parameters sent apart from the SQL text (`$1`, `$2`, …).
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PGBindable)?] = []) throws -> PGResult {
        let texts = parameters.map { $0?.pgText }
        let result = withOptionalCStringArray(texts) { values in
            PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try checked(result)
    }

    /// Runs a named prepared statement, preparing it on this connection the first time.
    @discardableResult
    public func query(_ statement: PGStatement, _ parameters: [(any PGBindable)?] = []) throws -> PGResult {
        if !prepared.contains(statement.name) {
            let preparation = PQprepare(handle, statement.name, statement.sql, 0, nil)
            _ = try checked(preparation)
            prepared.insert(statement.name)
        }
        let texts = parameters.map { $0?.pgText }
        let result = withOptionalCStringArray(texts) { values in
            PQexecPrepared(handle, statement.name, Int32(texts.count), values, nil, nil, 0)
        }
        return try checked(result)
    }

    /// Turns a libpq result into a `PGResult` or the error it carries.
    func checked(_ result: OpaquePointer?) throws -> PGResult {
        guard let result else {
            throw PGError(connection: handle, kind: .query, prefix: "no result from the server")
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
            return PGResult(result)
        }
        let error = PGError(result: result, connection: handle)
        PQclear(result)
        throw error
    }

    /// Discards the rest of a failed exchange so the connection can be reused.
    func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}

/// A statement prepared once per connection under a fixed name and reused.
public struct PGStatement: Sendable, Hashable {
    public let name: String
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// Holds libpq's `PGcancel`, the one object that may be used from another thread than the owner's.
final class CancelBox: Sendable {
    /// The owner frees the object while another thread may be cancelling: the mutex orders the two.
    private let state: Mutex<UnsafeCancel>

    init(_ cancel: OpaquePointer?) { state = Mutex(UnsafeCancel(pointer: cancel)) }

    func cancel() {
        state.withLock { box in
            guard let pointer = box.pointer else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(pointer, &buffer, Int32(buffer.count))
        }
    }

    func clear() {
        state.withLock { box in
            if let pointer = box.pointer { PQfreeCancel(pointer) }
            box.pointer = nil
        }
    }
}

/// libpq's cancel handle; only ever touched under `CancelBox`'s mutex.
struct UnsafeCancel: @unchecked Sendable {
    var pointer: OpaquePointer?
}

/// Calls `body` with a NULL-terminated array of C strings that live for the duration of the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }) { pointers in
        // Keywords and values arrays for PQconnectdbParams end with a NULL entry.
        body(pointers!)
    }
}

/// Calls `body` with an array of C strings (NULL for nil), terminated by a NULL entry.
func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let duplicates: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicates.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = duplicates.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
