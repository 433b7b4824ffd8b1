/// Who holds a tenant's advisory lock, for a refusal a person can act on.
extension TenantScope {
    /// The session holding the tenant's `lock`, as the server sees it.
    public struct LockHolder: Sendable, CustomStringConvertible {
        /// The server process of the session.
        public var serverPID: Int32
        /// When its transaction began (UTC, HH:MM:SS).
        public var since: String?
        /// What the session calls itself (`application_name`): a job says its host and process.
        public var application: String
        /// Where it connects from: an address, or nil over a local socket.
        public var client: String?

        public var description: String {
            let who = application.isEmpty ? "server process \(serverPID)" : "\(application), server process \(serverPID)"
            let since = since.map { "since \($0) UTC, " } ?? ""
            return since + who + (client.map { ", from \($0)" } ?? "")
        }
    }

    /// The session holding the tenant's `lock` now, if any and if this session may see it.
    public func holder(of lock: Lock, on connection: PGConnection) throws -> LockHolder? {
        let key = key(lock)
        guard let row = try connection.query("""
            SELECT a.pid, to_char(a.xact_start AT TIME ZONE 'UTC', 'HH24:MI:SS'), coalesce(a.application_name, ''), host(a.client_addr)
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid::bigint = $1 AND l.objid::bigint = $2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            LIMIT 1
            """, [key >> 32, key & 0xFFFF_FFFF]).first
        else { return nil }
        return LockHolder(serverPID: try row.decode(at: 0), since: try row.decode(at: 1), application: try row.decode(at: 2),
                          client: try row.decode(at: 3))
    }
}
