@preconcurrency import CHDF5

/// Where an operation happens, so that any failure in it can name the file, the object and the action.
struct Site {
    let file: String
    let object: String?
    let action: String

    /// Creating a site prepares the thread, so that HDF5 does not print the stack of a failure
    /// that this site is about to report.
    init(file: String, object: String?, action: String) {
        Library.prepareThread()
        self.file = file
        self.object = object
        self.action = action
    }

    /// Returns `result`, or throws with HDF5's own message if it is negative (HDF5's failure value).
    @discardableResult
    func check<Code: BinaryInteger>(_ result: Code) throws -> Code {
        guard result < 0 else { return result }
        throw failure(ErrorStack.capture())
    }

    /// A failure found by the binding itself.
    func failure(_ message: String) -> HDF5Error {
        HDF5Error(file: file, object: object, action: action, message: message, stack: [])
    }

    /// A failure reported by HDF5.
    func failure(_ stack: ErrorStack) -> HDF5Error {
        HDF5Error(file: file, object: object, action: action, message: stack.message, stack: stack.lines)
    }
}
