import Foundation

extension HDF5File {
    /// Writes a new file at `path` through `body`, under a temporary name in the same folder that
    /// is renamed into place only once `body` has returned and the file is closed
    /// (``writeAtomically(_:_:)``). Readers never see half a file, and a file already at `path`
    /// survives any failure (it is replaced only by the complete new one).
    public static func createAtomically<R>(_ path: String, _ body: (HDF5File) throws -> R) throws -> R {
        try writeAtomically(path) { temporaryPath in
            let file = try create(temporaryPath, ifExists: .truncate)
            let result = try body(file)
            try file.close()
            return result
        }
    }
}

/// `path` made absolute, with symbolic links resolved: what output files record of their inputs,
/// so that one file named from another folder or through a link is recorded alike (merging
/// slices of a library compares the library's path).
public func canonicalPath(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
}

/// The bytes free to this user on the file system that holds (or will hold) `path`; nil when it
/// cannot be told.
public func freeDiskBytes(beside path: String) -> Double? {
    var status = statvfs()
    let folder = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path
    guard statvfs(folder, &status) == 0 else { return nil }
    return Double(status.f_bavail) * Double(status.f_frsize)
}

/// Writes a new file at `path` through `write`, which is given a temporary path in the same folder
/// (``withTemporaryFile(beside:_:)``); the temporary file is renamed into place only once `write`
/// has returned, so an earlier file at `path` is replaced only by the complete new one. A symbolic
/// link at `path` is kept: its target is the file replaced (a link to a missing file is refused).
public func writeAtomically<R>(_ path: String, _ write: (_ temporaryPath: String) throws -> R) throws -> R {
    let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
    var status = stat()
    guard lstat(target.path, &status) != 0 || stat(target.path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG else {
        throw FileWriteError(path: path, message: "it exists and is not a regular file, or is a link to a missing one")
    }
    return try withTemporaryFile(beside: path) { temporaryPath in
        let result = try write(temporaryPath)
        guard rename(temporaryPath, target.path) == 0 else {
            throw FileWriteError(path: path, message: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
        }
        return result
    }
}

/// Runs `body` with the path of a new temporary file in the folder of `path` (where a rename to
/// `path` cannot cross file systems), and removes that file afterwards, after a failure, and if
/// the process is interrupted (``PartialFiles``). Failures in the temporary file are reported as
/// failures of `path`, the file the user named.
public func withTemporaryFile<R>(beside path: String, _ body: (_ temporaryPath: String) throws -> R) throws -> R {
    let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
    let temporaryPath = target.deletingLastPathComponent()
        .appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        .path
    PartialFiles.register(temporaryPath)
    defer {
        unlink(temporaryPath)
        PartialFiles.unregister(temporaryPath)
    }
    do {
        return try body(temporaryPath)
    } catch let failure as HDF5Error where failure.file == temporaryPath {
        throw failure.naming(path)
    } catch let failure as FileWriteError where failure.path == temporaryPath {
        throw FileWriteError(path: path, message: failure.message)
    }
}

/// A file that could not be written, naming it and the system's reason.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "cannot write '\(path)': \(message)" }
}

/// Temporary files being written, removed if the process is interrupted (Ctrl-C, `kill`), so an
/// interrupted run leaves neither a partial output nor litter.
///
/// The signals are taken by dispatch sources, so the clean-up runs on an ordinary thread where
/// taking the lock and unlinking files are safe (neither is inside a signal handler).
public enum PartialFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Removes `path` if the process is interrupted before ``unregister(_:)``: for a file being
    /// written under a temporary name.
    public static func register(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.append(path)
        FaultHandling.partialFilesChanged(paths)
        guard sources.isEmpty else { return }
        // A parent may have started us with these signals blocked or ignored; they must reach the sources.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            sigaddset(&signals, signalNumber)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                lock.lock()
                for path in paths { unlink(path) }
                // _exit, not exit: exit's handlers (HDF5 closing its library, among others) would
                // run while the reader and writer threads are still inside HDF5 calls, and crash.
                // Only what stdio holds is flushed; an HDF5 file open for writing outside
                // `createAtomically` keeps what it had not yet written.
                fflush(nil)
                _exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
        sigprocmask(SIG_UNBLOCK, &signals, nil)
    }

    public static func unregister(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.removeAll { $0 == path }
        FaultHandling.partialFilesChanged(paths)
    }

    /// Paths registered now; for tests.
    public static var current: [String] {
        lock.lock()
        defer { lock.unlock() }
        return paths
    }
}
