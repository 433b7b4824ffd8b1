import ArgumentParser
import FactorRiskCore
import FactorRiskPostgres

/// `factor-risk tenant`: what is loaded, per tenant.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "List the tenants and what each holds.",
        subcommands: [List.self, Show.self]
    )

    /// The tables of a tenant's portfolio, in the order they are shown.
    static let tables = ["countries", "clients", "debtors", "approvals", "documents", "fx_rates"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every tenant with its row counts.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let rows = try await database.withDatabase { pool in
                try await pool.withConnection { connection in
                    let counts = TenantCommand.tables.map {
                        "(SELECT count(*) FROM \($0) x WHERE x.tenant_id = t.tenant_id)"
                    }.joined(separator: ", ")
                    return try connection.query(
                        "SELECT tenant_ref, base_currency, \(counts) FROM tenants t ORDER BY tenant_ref COLLATE \"C\""
                    ).rows.map { row in
                        try (0..<(2 + TenantCommand.tables.count)).map { try row.decode(String.self, at: $0) }
                    }
                }
            }
            let header = ["tenant", "currency"] + TenantCommand.tables
            print(TextTable(header: header, rows: rows, rightAligned: Set(2..<header.count)).render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One tenant: its settings and row counts.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The tenant's reference.")
        var tenant: String

        func run() async throws {
            let ref = tenant
            let lines = try await database.withDatabase { pool -> [String]? in
                try await pool.withConnection { connection -> [String]? in
                    guard let found = try connection.query(
                        "SELECT tenant_id, name, base_currency, home_country, own_funds FROM tenants WHERE tenant_ref = $1", [ref]
                    ).first else { return nil }
                    let id: Int64 = try found.decode(at: 0)
                    return try connection.tenantTransaction(id) { connection in
                        let exponent = try connection.query(
                            "SELECT exponent FROM currencies WHERE currency = $1", [try found.decode(String.self, at: 2)]
                        ).first?.decode(Int.self, at: 0) ?? 2
                        var lines = [
                            "tenant:        \(ref) (id \(id))",
                            "name:          \(try found.decode(String.self, at: 1))",
                            "base currency: \(try found.decode(String.self, at: 2))",
                            "home country:  \(try found.decode(String.self, at: 3))",
                            "own funds:     \(Money.format(try found.decode(Int64.self, at: 4), exponent: exponent, grouping: true))",
                        ]
                        for table in TenantCommand.tables {
                            let count = try connection.query("SELECT count(*) FROM \(table) WHERE tenant_id = $1", [id])
                                .first?.decode(Int.self, at: 0) ?? 0
                            lines.append("\(table + ":")\(String(repeating: " ", count: max(1, 15 - table.count - 1)))\(count)")
                        }
                        return lines
                    }
                }
            }
            guard let lines else {
                printError("no tenant \"\(ref)\" (factor-risk tenant list shows them)")
                throw ExitCode.failure
            }
            lines.forEach { print($0) }
        }
    }
}
