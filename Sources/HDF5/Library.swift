@preconcurrency import CHDF5
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One-time and per-thread set-up of libhdf5.
enum Library {
    /// `H5open` must run before any `H5T_NATIVE_*_g` global holds a valid id.
    private static let opened: Bool = H5open() >= 0

    /// Marks threads whose automatic error printing is already off.
    private static let silencedKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Opens the library and stops it printing error stacks to stderr on this thread.
    ///
    /// The thread-safe libhdf5 keeps one error stack, with its own printing switch, per thread,
    /// so switching printing off once per process is not enough.
    static func prepareThread() {
        _ = opened
        guard pthread_getspecific(silencedKey) == nil else { return }
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        pthread_setspecific(silencedKey, UnsafeRawPointer(bitPattern: 1))
    }
}

/// Tells libhdf5 not to close itself when the process exits; call it before any other use of
/// HDF5. After a file failed to close (a full disk), libhdf5 1.10 crashes when its exit handler
/// closes that file again. A program that closes every file it writes (``HDF5File/createAtomically(_:_:)``
/// does) loses nothing by skipping the handler; a file still open for writing at exit keeps only
/// what was already written.
public func skipHDF5CleanupAtExit() {
    _ = H5dont_atexit()
}

/// The libhdf5 this process runs on.
public enum HDF5Build {
    /// Its version, such as "1.10.8".
    public static let version: String = {
        var (major, minor, release): (UInt32, UInt32, UInt32) = (0, 0, 0)
        _ = H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }()

    /// Whether it was built thread-safe, so that two threads may call it at once (Debian's is).
    public static let isThreadSafe: Bool = {
        var safe = false
        return H5is_library_threadsafe(&safe) >= 0 && safe
    }()

    private static let turns = NSLock()

    /// Runs `body`, which calls libhdf5 while another thread may too: at once when the library is
    /// thread-safe, and taking turns with every other caller of this when it is not.
    public static func sharing<R>(_ body: () throws -> R) rethrows -> R {
        guard !isThreadSafe else { return try body() }
        turns.lock()
        defer { turns.unlock() }
        return try body()
    }
}
