import Logging
import Synchronization

/// The server's `RepeatedErrorLog`, shared by every request, on the continuous clock.
final class ErrorLogThrottle: Sendable {
    private let state: Mutex<RepeatedErrorLog<ContinuousClock.Instant>>

    init(interval: Duration = .seconds(10)) {
        state = Mutex(RepeatedErrorLog(interval: interval))
    }

    /// Logs `message` as an error unless one of `kind` was logged within the interval; a line
    /// that follows left-out ones says how many.
    func error(_ kind: String, _ message: @autoclosure () -> String, logger: Logger) {
        let verdict = state.withLock { $0.record(kind, at: .now) }
        guard case .log(let suppressed) = verdict else { return }
        let more = suppressed == 0 ? "" : " (and \(suppressed) more like it since the previous such line)"
        logger.error("\(message())\(more)")
    }
}
