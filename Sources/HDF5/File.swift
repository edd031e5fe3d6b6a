@preconcurrency import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open HDF5 file, which is also its root group "/".
///
/// The file closes on `close()` or when the file and every group and dataset taken from it are gone.
/// Closing it also closes those groups and datasets: using them afterwards throws.
public final class HDF5File: Group {
    /// How `open` opens a file.
    public enum Mode: Sendable {
        case readOnly, readWrite
    }

    /// What `create` does when the file is already there.
    public enum IfExists: Sendable {
        case fail, truncate
    }

    /// The file's path as given.
    public var path: String { file.path }

    /// Opens an existing file.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> HDF5File {
        let site = Site(file: path, object: nil, action: "open file")
        let accessList = try strongCloseAccessList(site)
        defer { H5Pclose(accessList) }
        let flags: UInt32 = mode == .readOnly ? 0x0000 : 0x0001  // H5F_ACC_RDONLY, H5F_ACC_RDWR
        var status = stat()
        // Opening a named pipe would wait for a writer for ever.
        if stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFREG {
            throw site.failure(status.st_mode & S_IFMT == S_IFDIR ? "a folder, not a file" : "not a regular file")
        }
        let id: hid_t
        FaultHandling.opening(path)
        do {
            id = try waitingForLock(site) { H5Fopen(path, flags, accessList) }
        } catch {
            defer { FaultHandling.closed(path) }
            if stat(path, &status) != 0 { throw site.failure("no such file") }
            if access(path, mode == .readOnly ? R_OK : R_OK | W_OK) != 0 { throw site.failure(String(cString: strerror(errno))) }
            if H5Fis_hdf5(path) <= 0 { throw site.failure("not an HDF5 file") }
            throw error
        }
        return try HDF5File(FileState(path: path, id: id, isInput: true), site: site)
    }

    /// Creates a file, failing if it exists unless told to truncate it.
    public static func create(_ path: String, ifExists: IfExists = .fail) throws -> HDF5File {
        let site = Site(file: path, object: nil, action: "create file")
        let accessList = try strongCloseAccessList(site)
        defer { H5Pclose(accessList) }
        // Large objects (the chunks of streamed outputs) start on a page, so that whole pages of
        // them can be written with O_DIRECT (Dataset.writeRowsUncached).
        try site.check(H5Pset_alignment(accessList, 1 << 16, 4096))
        if ifExists == .fail && access(path, F_OK) == 0 { throw site.failure("the file already exists") }
        let flags: UInt32 = ifExists == .fail ? 0x0004 : 0x0002  // H5F_ACC_EXCL, H5F_ACC_TRUNC
        let id = try waitingForLock(site) { H5Fcreate(path, flags, hid_t(H5P_DEFAULT), accessList) }
        return try HDF5File(FileState(path: path, id: id, isInput: false), site: site)
    }

    private init(_ state: FileState, site: Site) throws {
        try Self.closeOnExec(state.id, site: site)
        let root = try site.check(H5Gopen2(state.id, "/", hid_t(H5P_DEFAULT)))
        super.init(file: state, id: root, name: "/")
    }

    /// Child processes must not inherit the file's descriptor: it carries HDF5's file lock,
    /// which would then outlive `close()` for as long as the child runs.
    private static func closeOnExec(_ id: hid_t, site: Site) throws {
        var handle: UnsafeMutableRawPointer?
        try site.check(H5Fget_vfd_handle(id, hid_t(H5P_DEFAULT), &handle))
        let descriptor = handle!.load(as: Int32.self)
        _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
    }

    /// Writes everything buffered for this file to disk.
    public func flush() throws {
        let site = try file.site(nil, "flush file")
        try site.check(H5Fflush(file.id, H5F_SCOPE_LOCAL))
    }

    /// Closes the file and every group and dataset taken from it; closing again does nothing.
    public func close() throws {
        try file.close()
    }

    /// Runs `open` until it succeeds, again and again for up to two seconds while HDF5 finds the file locked.
    ///
    /// Spawning a process briefly gives the child a copy of every descriptor, and with it HDF5's lock
    /// on a file this process may have just closed; the wait rides that out. A lock that another
    /// program keeps still fails, after the wait.
    private static func waitingForLock(_ site: Site, _ open: () -> hid_t) throws -> hid_t {
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            let id = open()
            if id >= 0 { return id }
            let stack = ErrorStack.capture()
            guard stack.message.hasPrefix("unable to lock file"), ContinuousClock.now < deadline else {
                throw site.failure(stack)
            }
            usleep(5_000)
        }
    }

    /// Strong closing makes `close()` release the file on disk at once, so that other tools can open it,
    /// even while groups or datasets from it are still referenced.
    private static func strongCloseAccessList(_ site: Site) throws -> hid_t {
        let accessList = try site.check(H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g))
        guard H5Pset_fclose_degree(accessList, H5F_CLOSE_STRONG) >= 0 else {
            let error = site.failure(ErrorStack.capture())
            H5Pclose(accessList)
            throw error
        }
        return accessList
    }
}
