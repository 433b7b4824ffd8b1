import FactorRiskCore
import Foundation

/// policy.json on the import's side: read from the bundle, parsed by the core (`PolicyOverrides`),
/// written into the tenant's policy row.
extension PolicyOverrides {
    /// Reads and parses the policy.json at `path`.
    init(path: String, baseExponent: Int) throws(BundleIssue) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleIssue(file: BundleFile.policyFileName, message: "cannot be read")
        }
        try self.init(bytes: [UInt8](data), baseExponent: baseExponent)
    }

    /// Writes the overrides into the tenant's policy row. Returns whether anything changed.
    func apply(_ connection: PGConnection, tenantID: Int64) throws -> Bool {
        guard !assignments.isEmpty else { return false }
        let before = try connection.query("SELECT policies::text FROM policies WHERE tenant_id = $1", [tenantID]).first?.decode(String.self, at: 0)
        var sets: [String] = []
        var parameters: [(any PGBindable)?] = [tenantID]
        for assignment in assignments {
            parameters.append(assignment.value)
            let target = assignment.arrayIndex.map { "\(assignment.column)[\($0)]" } ?? assignment.column
            sets.append("\(target) = $\(parameters.count)")
        }
        try connection.query("UPDATE policies SET \(sets.joined(separator: ", ")) WHERE tenant_id = $1", parameters)
        let after = try connection.query("SELECT policies::text FROM policies WHERE tenant_id = $1", [tenantID]).first?.decode(String.self, at: 0)
        if before == after { return false }
        try connection.query("UPDATE policies SET updated_at = now() WHERE tenant_id = $1", [tenantID])
        return true
    }
}
