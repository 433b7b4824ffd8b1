import CLibPQ

/// The rows a statement returned, in libpq's text format, decoded on demand.
///
/// Owns the libpq result and frees it when released. Read it on the thread that ran the query,
/// or after; it is immutable once returned.
public final class PGResult: @unchecked Sendable {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    deinit { PQclear(handle) }

    /// Number of rows returned.
    public var rowCount: Int { Int(PQntuples(handle)) }

    /// Number of columns returned.
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Number of rows a command touched (`INSERT`, `UPDATE`, `DELETE`, `COPY`), 0 when it does not say.
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The column names, in order.
    public var columnNames: [String] {
        (0..<columnCount).map { String(cString: PQfname(handle, Int32($0))) }
    }

    /// The index of a column by name, or nil.
    public func columnIndex(_ name: String) -> Int? {
        let index = Int(PQfnumber(handle, name))
        return index >= 0 ? index : nil
    }

    /// The PostgreSQL type OID of a column.
    public func columnType(_ column: Int) -> UInt32 { UInt32(PQftype(handle, Int32(column))) }

    /// The rows, in order.
    public var rows: [PGRow] { (0..<rowCount).map { PGRow(result: self, index: $0) } }

    /// The first row, or nil when there is none.
    public var first: PGRow? { rowCount > 0 ? PGRow(result: self, index: 0) : nil }

    /// Whether a cell is SQL NULL.
    public func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    /// The raw text of a cell (its bytes are valid until the result is freed).
    func withCell<R>(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let pointer = PQgetvalue(handle, Int32(row), Int32(column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }
}

/// One row of a `PGResult`, decoded column by column into Swift types.
public struct PGRow: Sendable {
    public let result: PGResult
    public let index: Int

    /// Decodes column `column` as `T` (use an Optional type for nullable columns).
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < result.columnCount else {
            throw PGError(.decoding, message: "row has \(result.columnCount) columns, asked for column \(column)")
        }
        // The column's name only for an error message: read on every cell, it was a String made per value.
        func name() -> String { String(cString: PQfname(result.handle, Int32(column))) }
        if result.isNull(row: index, column: column) {
            guard let value = T.pgNull else {
                throw PGError(.decoding, message: "column \"\(name())\" is NULL, expected \(T.self)")
            }
            return value
        }
        let typeOID = result.columnType(column)
        return try result.withCell(row: index, column: column) { bytes in
            do {
                return try T.decode(pgText: bytes, type: typeOID)
            } catch let failure as PGDecodingFailure {
                throw PGError(.decoding, message: "column \"\(name())\": \(failure.reason)")
            }
        }
    }

    /// Decodes the column named `name` as the type the caller expects.
    public func decode<T: PGDecodable>(_ name: String) throws -> T { try decode(T.self, name) }

    /// Decodes the column named `name` as `T`.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, _ name: String) throws -> T {
        guard let column = result.columnIndex(name) else {
            throw PGError(.decoding, message: "no column \"\(name)\" in the result (\(result.columnNames.joined(separator: ", ")))")
        }
        return try decode(type, at: column)
    }
}
