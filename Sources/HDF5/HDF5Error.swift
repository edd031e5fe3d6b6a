@preconcurrency import CHDF5

/// A failure in libhdf5 or in how it was used, naming the file, the object and HDF5's own message.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// Path of the file as it was given to `open` or `create`.
    public let file: String
    /// Path of the object inside the file, or `nil` when the failure concerns the file itself.
    public let object: String?
    /// What was being done, such as "open dataset".
    public let action: String
    /// Why it failed: the innermost message of HDF5's error stack, or the binding's own check.
    public let message: String
    /// HDF5's whole error stack, from the API call down to where the error was detected,
    /// one "function(): description" line each; empty when the binding's own check failed.
    public let stack: [String]

    /// The same failure said of the file at `path`: for one found in a temporary file that stands for it.
    func naming(_ path: String) -> HDF5Error {
        HDF5Error(file: path, object: object, action: action, message: message, stack: stack)
    }

    public var description: String {
        let target = object.map { "'\($0)' in '\(file)'" } ?? "'\(file)'"
        return "HDF5: cannot \(action) \(target): \(message)"
    }
}

/// The calling thread's HDF5 error stack.
struct ErrorStack {
    /// Outermost (the API call) first.
    private(set) var entries: [(function: String, description: String)] = []

    /// Must run right after the failing call: the next HDF5 API call clears the stack.
    static func capture() -> ErrorStack {
        var stack = ErrorStack()
        withUnsafeMutablePointer(to: &stack) { pointer in
            _ = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, { _, entry, data in
                guard let entry = entry?.pointee else { return 0 }
                data!.assumingMemoryBound(to: ErrorStack.self).pointee.entries.append((
                    entry.func_name.map { String(cString: $0) } ?? "?",
                    entry.desc.map { String(cString: $0) } ?? ""))
                return 0
            }, pointer)
        }
        return stack
    }

    /// The description recorded where the error was first detected, which is the most specific one,
    /// on one line. The POSIX driver's own reports run over lines and list buffer addresses; of
    /// those, what failed and the system's reason are kept ("file write failed: No space left on device").
    var message: String {
        guard let description = entries.last?.description else { return "unknown HDF5 failure" }
        if let reason = description.range(of: "error message = '"),
           let end = description[reason.upperBound...].firstIndex(of: "'"),
           let what = description.firstIndex(of: ":"), what < reason.lowerBound {
            return "\(description[..<what]): \(description[reason.upperBound..<end])"
        }
        return description.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    var lines: [String] { entries.map { "\($0.function)(): \($0.description)" } }
}
