import CLibPQ

/// Every failure of our PostgreSQL client, with what the server said when it said something.
///
/// Carries the SQLSTATE so callers can react to a class of error (a unique violation, a check
/// violation, a lost connection) without parsing messages, and the server's detail and hint so a
/// person reading the CLI's output knows what to do.
public struct PGError: Error, Sendable, CustomStringConvertible {
    /// Where in the life of a connection the error arose.
    public enum Kind: String, Sendable {
        /// The server could not be reached or refused the connection.
        case connection
        /// The server rejected a statement.
        case query
        /// A COPY stream failed.
        case copy
        /// A value could not be decoded into the Swift type asked for.
        case decoding
        /// The pool had no connection to hand out in time, or was shut down.
        case pool
        /// The connection was lost while in use.
        case connectionLost
    }

    public var kind: Kind
    /// The five-character SQLSTATE code, when the server sent one.
    public var sqlState: String?
    /// The primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The constraint named by the server (not for parsing: Citus appends shard numbers).
    public var constraint: String?
    /// The table named by the server, when it names one.
    public var table: String?
    /// The column named by the server, when it names one.
    public var column: String?

    public init(
        _ kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        return text
    }

    /// Whether this error means the connection itself is gone (SQLSTATE class 08, admin shutdown, or libpq's own loss).
    /// A figure left the range of its type (SQLSTATE 22003): a sum or a converted amount of a
    /// tenant beyond 64 bits. The tenant's data, not the request, is at fault.
    public var isOutOfRange: Bool { sqlState == "22003" }

    public var isConnectionFailure: Bool {
        if kind == .connection || kind == .connectionLost { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }
}

extension PGError {
    /// Builds an error from a failed result, reading the server's diagnostic fields.
    init(result: OpaquePointer?, connection: OpaquePointer?, kind: Kind = .query) {
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(UInt8(ascii: "C"))
        var message = field(UInt8(ascii: "M"))
        if message == nil {
            if let result, let text = PQresultErrorMessage(result), text.pointee != 0 {
                message = String(cString: text)
            } else if let connection, let text = PQerrorMessage(connection) {
                message = String(cString: text)
            }
        }
        let trimmed = (message ?? "unknown error").trimmingTrailingNewlines()
        let lost = sqlState == nil && connection.map { PQstatus($0) != CONNECTION_OK } ?? false
        self.init(
            lost ? .connectionLost : kind,
            message: trimmed,
            sqlState: sqlState,
            detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")),
            constraint: field(UInt8(ascii: "n")),
            table: field(UInt8(ascii: "t")),
            column: field(UInt8(ascii: "c"))
        )
    }

    /// Builds an error from the connection's last message (connect failures, COPY failures).
    init(connection: OpaquePointer?, kind: Kind, prefix: String? = nil) {
        var text = "unknown error"
        if let connection, let message = PQerrorMessage(connection), message.pointee != 0 {
            text = String(cString: message).trimmingTrailingNewlines()
        }
        if let prefix { text = "\(prefix): \(text)" }
        let lost = kind != .connection && connection.map { PQstatus($0) != CONNECTION_OK } ?? false
        self.init(lost ? .connectionLost : kind, message: text)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while let last = text.last, last == "\n" || last == "\r" || last == " " { text.removeLast() }
        return text
    }
}
