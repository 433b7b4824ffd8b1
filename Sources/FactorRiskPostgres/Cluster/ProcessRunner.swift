import Foundation
import Glibc

/// Runs a program to completion and collects its output: the PostgreSQL server programs
/// (initdb, pg_ctl), as the `postgres` system user when we are root, and in tests our own binary.
public struct ProcessRunner: Sendable {
    /// The user to run as (through `runuser`), or nil to run as ourselves.
    public let runAsUser: String?
    /// The folder the program starts in: one the user it runs as can enter.
    public let workingDirectory: String

    public init(runAsUser: String? = nil, workingDirectory: String) {
        self.runAsUser = runAsUser
        self.workingDirectory = workingDirectory
    }

    /// How a program ended.
    public struct Outcome: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public let status: Int32
        /// Standard output and standard error, interleaved.
        public let output: String
    }

    /// Runs `executable` with `arguments`, returning its exit status and combined output.
    ///
    /// The task waits for the program without holding a thread of Swift's cooperative pool: the
    /// child is reaped by a thread of its own, which then resumes the task.
    public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        let child = try spawn(executable, arguments, environment: environment)
        defer { unlink(child.outputPath) }
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            let waiter = Thread { continuation.resume(with: Result { try Self.reap(child.pid) }) }
            waiter.name = "factor-risk-wait-\(child.pid)"
            waiter.start()
        }
        return Self.outcome(status: status, outputPath: child.outputPath)
    }

    /// `run` for synchronous callers: blocks the calling thread until the program ends, so it must
    /// not be called from async code (which gets the other `run`).
    public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let child = try spawn(executable, arguments, environment: environment)
        defer { unlink(child.outputPath) }
        return Self.outcome(status: try Self.reap(child.pid), outputPath: child.outputPath)
    }

    /// Starts the program with its output going to a file of its own.
    ///
    /// Spawned with posix_spawn and reaped with waitpid: the programs here may leave a server
    /// running behind them, which must neither hold our output open nor confuse child reaping.
    private func spawn(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (pid: pid_t, outputPath: String) {
        // A shell changes into the working folder first: the server's user may not be able to
        // enter the folder we were started in.
        var command = [executable] + arguments
        if let runAsUser { command = [try Self.locate("runuser"), "-u", runAsUser, "--"] + command }
        let program = "/bin/sh"
        let argv = [program, "-c", "cd \"$0\" && exec \"$@\"", workingDirectory] + command
        var processEnvironment = ProcessInfo.processInfo.environment
        // The server programs read these; a stray one from the caller's shell must not redirect them.
        for key in ["PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS"] { processEnvironment[key] = nil }
        processEnvironment["LC_ALL"] = "C"
        // An empty value in `environment` removes the variable.
        for (key, value) in environment { processEnvironment[key] = value.isEmpty ? nil : value }
        let environmentList = processEnvironment.map { "\($0.key)=\($0.value)" }

        // Output goes to a file, not a pipe: pg_ctl leaves a server running that may inherit the
        // descriptor, and a pipe would then never reach end-of-file.
        let outputPath = NSTemporaryDirectory() + "factor-risk-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours goes to the child: a server it leaves running would otherwise keep a
        // copy of every descriptor open at the time, such as a connection that `serve` closes (the
        // peer then never sees it closed) or a listening socket (whose port then stays taken).
        Self.closeInheritedDescriptors(&actions)

        var pid: pid_t = 0
        let status = withCStrings(argv) { cArguments in
            withCStrings(environmentList) { cEnvironment in
                posix_spawn(&pid, program, &actions, nil, cArguments, cEnvironment)
            }
        }
        guard status == 0 else {
            unlink(outputPath)
            throw ClusterError("cannot run \(program): \(String(cString: strerror(status)))")
        }
        return (pid, outputPath)
    }

    /// Adds to `actions` the closing of every descriptor from 3 up: glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later, looked up at run time since the
    /// Swift overlay does not declare it), or else a close of each descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Waits for the child to end (blocking its thread) and returns its exit code, or 128 + the
    /// signal that ended it.
    private static func reap(_ pid: pid_t) throws -> Int32 {
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else { throw ClusterError("cannot wait for a child process: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
    }

    private static func outcome(status: Int32, outputPath: String) -> Outcome {
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Outcome(status: status, output: String(decoding: data, as: UTF8.self))
    }

    private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Finds a program on PATH or in the usual system folders.
    static func locate(_ program: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(program)") {
            return "\(folder)/\(program)"
        }
        throw ClusterError("\(program) not found on PATH")
    }
}

/// A failure to set up, start or stop the embedded PostgreSQL cluster, worded for the person at the terminal.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
