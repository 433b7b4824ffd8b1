/// Why a what-if scenario or a ranking of the worst single defaults was not computed: each reason
/// is one the caller can act on (name another group, retry later, ask for less), so the command
/// line and the API answer it in words and with their own status, never as an internal failure.
public struct ScenarioRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// These defaulted group references name no group of the tenant (RULEBOOK.md §4.6: a
        /// debtor's `group_ref`, or the `debtor_ref` of a debtor without one), in the order asked.
        case unknownGroups([String])
        /// Another scenario or ranking of the tenant is running, in this process or on another
        /// server; `holder` describes its session when the database could say.
        case busy(holder: String?)
        /// The run went on longer than the time it was given and was cancelled.
        case timedOut(Duration)
    }

    public var reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .unknownGroups(let refs):
            let names = refs.map { "\"\($0)\"" }.joined(separator: ", ")
            return "no group \(names) in this tenant (a group is a debtor's group_ref, or the debtor_ref of a debtor without one)"
        case .busy(let holder):
            return "another what-if scenario or ranking of this tenant is running\(holder.map { " (\($0))" } ?? ""): "
                + "one runs at a time; try again when it has finished"
        case .timedOut(let limit):
            let (seconds, attoseconds) = limit.components
            let length = attoseconds == 0 ? "\(seconds) s" : "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
            return "the computation took longer than the \(length) it may take and was stopped"
        }
    }
}
