import ArgumentParser
import FactorRiskPostgres

/// `factor-risk key`: API keys per tenant, with a role.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create, list and revoke the API keys of a tenant.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its token is printed once and never stored.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The tenant.")
        var tenant: String

        @Option(help: "read, write or admin.")
        var role: String

        @Option(help: "Who or what the key is for (kept with the key and in the audit trail).")
        var label = ""

        func validate() throws {
            guard APIRole(rawValue: role) != nil else { throw ValidationError("--role: \"\(role)\" is not one of read, write, admin") }
        }

        func run() async throws {
            let (ref, role, label) = (tenant, APIRole(rawValue: role)!, label)
            let (key, token) = try await database.withTenant(ref) { stores, tenant in
                try await stores.keys.create(tenant, role: role, label: label)
            }
            printError("key \(key.keyID) of tenant \(ref), role \(role.rawValue): the token below is shown only now")
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tenant's keys (never their tokens).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The tenant.")
        var tenant: String

        func run() async throws {
            let ref = tenant
            let keys = try await database.withTenant(ref) { stores, tenant in try await stores.keys.list(tenant) }
            let rows = keys.map { [String($0.keyID), $0.role.rawValue, $0.label, $0.createdAt, $0.revokedAt ?? "active"] }
            print(TextTable(header: ["key", "role", "label", "created", "revoked"], rows: rows, rightAligned: [0]).render())
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: servers stop accepting it within their key cache time (5 s by default).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The tenant.")
        var tenant: String

        @Argument(help: "The key's number, as key list shows it.")
        var key: Int64

        func run() async throws {
            let (ref, keyID) = (tenant, key)
            let revoked = try await database.withTenant(ref) { stores, tenant in try await stores.keys.revoke(tenant, keyID: keyID) }
            guard revoked else {
                printError("tenant \(ref) has no active key \(keyID)")
                throw ExitCode.failure
            }
            print("key \(keyID) of tenant \(ref) revoked")
        }
    }
}
