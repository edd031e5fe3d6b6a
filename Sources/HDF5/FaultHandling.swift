import CFault
import Foundation

/// A memory fault while HDF5 files are open for reading (libhdf5 1.10 dereferences bad pointers on
/// some damaged files) ends the process with one line naming them, after removing the files being
/// written; the handler lives in C (CFault) and reads the lists kept here, once installed.
public enum FaultHandling {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var isInstalled = false
    nonisolated(unsafe) private static var inputs: [String] = []

    /// Installs the handlers; a command-line tool calls this first.
    public static func install() {
        lock.lock()
        defer { lock.unlock() }
        galen_fault_install()
        isInstalled = true
    }

    /// Before `H5Fopen`, so that a fault inside it names the file.
    static func opening(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        inputs.append(path)
        if isInstalled { withCStrings(inputs) { galen_fault_set_open_files($0, $1) } }
    }

    static func closed(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if let index = inputs.firstIndex(of: path) { inputs.remove(at: index) }
        if isInstalled { withCStrings(inputs) { galen_fault_set_open_files($0, $1) } }
    }

    /// Called by ``PartialFiles`` under its lock whenever its list changes.
    static func partialFilesChanged(_ paths: [String]) {
        lock.lock()
        defer { lock.unlock() }
        if isInstalled { withCStrings(paths) { galen_fault_set_partial_files($0, $1) } }
    }

    private static func withCStrings(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int32) -> Void) {
        let copies = strings.map { UnsafePointer(strdup($0)) }
        defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        copies.withUnsafeBufferPointer { body($0.baseAddress, Int32(copies.count)) }
    }
}
