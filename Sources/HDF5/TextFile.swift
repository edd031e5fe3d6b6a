#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text file (CSV, JSON) written in one piece or many, atomically like
/// ``HDF5File/createAtomically(_:_:)``: a failure or an interruption leaves any earlier file at
/// its path as it was, and every failure names the file.
public final class TextFile {
    private let descriptor: Int32
    private let path: String
    private var length = 0

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Writes a new text file at `path` through `body`.
    public static func createAtomically(_ path: String, _ body: (TextFile) throws -> Void) throws {
        try writeAtomically(path) { temporaryPath in
            let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { throw FileWriteError(path: path, message: String(cString: strerror(errno))) }
            let file = TextFile(descriptor: descriptor, path: path)
            do {
                try body(file)
            } catch {
                close(descriptor)
                throw error
            }
            guard close(descriptor) == 0 else { throw FileWriteError(path: path, message: String(cString: strerror(errno))) }
        }
    }

    /// Appends `text`, UTF-8 encoded.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { bytes in
            guard bytes.isEmpty || writeFully(descriptor, bytes.baseAddress!, count: bytes.count, at: length) else {
                throw FileWriteError(path: path, message: String(cString: strerror(errno)))
            }
            length += bytes.count
        }
    }
}
