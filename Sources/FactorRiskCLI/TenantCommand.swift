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

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every tenant with its row counts.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let rows = try await database.withStores { try await $0.tenants.summaries() }.map { tenant in
                [tenant.ref, tenant.baseCurrency] + tenant.rows.map { String($0) }
            }
            let header = ["tenant", "currency"] + TenantSummary.tables
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
            let lines = try await database.withStores { try await $0.tenants.summary(ref) }.map { tenant in
                [
                    "tenant:        \(ref) (id \(tenant.scope.id))",
                    "name:          \(tenant.name)",
                    "base currency: \(tenant.baseCurrency)",
                    "home country:  \(tenant.homeCountry)",
                    "own funds:     \(Money.format(tenant.ownFunds, exponent: tenant.exponent, grouping: true))",
                ] + zip(TenantSummary.tables, tenant.rows).map { table, count in
                    "\(table + ":")\(String(repeating: " ", count: max(1, 15 - table.count - 1)))\(count)"
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
