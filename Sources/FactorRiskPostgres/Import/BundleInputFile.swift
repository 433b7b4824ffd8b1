import FactorRiskCore
import Glibc

/// A bundle file open for reading: a regular file, once links are followed.
///
/// Anything else in its place is an error that names the file and why, never a missing file: a
/// dangling or looping link, a folder, a named pipe (whose reader would wait for a writer
/// forever), a device (`/dev/zero` never ends), a socket, a file we may not read. The file is
/// opened without waiting and judged by `fstat` on the open descriptor, so what was checked is
/// what is read, even if the name is replaced in between.
final class BundleInputFile {
    /// The name the issues give the file.
    let name: String
    /// Its size in bytes when it was opened.
    let size: Int
    private let descriptor: Int32

    init(path: String, name: String) throws(BundleIssue) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BundleIssue(file: name, message: "cannot be read: \(Self.openFailure(errno, path: path))")
        }
        var status = stat()
        let kind = fstat(descriptor, &status) == 0 ? status.st_mode & S_IFMT : 0
        guard kind == S_IFREG else {
            close(descriptor)
            throw BundleIssue(file: name, message: "cannot be read: \(Self.notRegular(kind))")
        }
        // Reading a regular file never waits; the flag is cleared all the same.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        self.name = name
        self.size = Int(status.st_size)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes into `buffer`; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(BundleIssue) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw BundleIssue(file: name, message: "read error: \(String(cString: strerror(errno)))") }
        }
    }

    /// Why `open` failed, in the words of the person who made the folder.
    private static func openFailure(_ code: Int32, path: String) -> String {
        switch code {
        case ENOENT:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(path, &buffer, buffer.count - 1)
            guard length >= 0 else { return "no such file" }
            let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return "a symbolic link to \(target), which does not exist"
        case ELOOP: return "a symbolic link that loops (it leads back to itself)"
        case EACCES: return "permission denied"
        case ENXIO: return "a socket, not a regular file"
        default: return String(cString: strerror(code))
        }
    }

    /// Why a file of type `kind` (from `st_mode`; 0 when unknown) is not read.
    private static func notRegular(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a folder, not a file"
        case S_IFIFO: "a named pipe (FIFO), not a regular file"
        case S_IFCHR, S_IFBLK: "a device, not a regular file"
        case S_IFSOCK: "a socket, not a regular file"
        default: "not a regular file"
        }
    }
}
