@preconcurrency import CHDF5

/// The open file shared by every object taken from it, so the file stays open while any of them lives.
final class FileState {
    let path: String
    let id: hid_t
    /// Opened for reading an existing file (``HDF5File/open(_:mode:)`` told ``FaultHandling`` before opening it).
    let isInput: Bool
    private(set) var isOpen = true

    init(path: String, id: hid_t, isInput: Bool) {
        self.path = path
        self.id = id
        self.isInput = isInput
    }

    /// The site of an action on `object`; fails once the file is closed, whose objects HDF5 closed with it.
    func site(_ object: String?, _ action: String) throws -> Site {
        let site = Site(file: path, object: object, action: action)
        guard isOpen else { throw site.failure("the file is closed") }
        return site
    }

    func close() throws {
        guard isOpen else { return }
        isOpen = false
        if isInput { FaultHandling.closed(path) }
        let site = Site(file: path, object: nil, action: "close file")
        try site.check(H5Fclose(id))
    }

    deinit {
        if isOpen {
            if isInput { FaultHandling.closed(path) }
            Library.prepareThread()
            H5Fclose(id)
        }
    }
}

/// A group or dataset: something with a path in a file and attributes.
protocol Location: AnyObject {
    var file: FileState { get }
    var id: hid_t { get }
    var name: String { get }
}

extension Location {
    func site(_ action: String) throws -> Site {
        try file.site(name, action)
    }

    /// Closes `id` unless closing the file already did.
    func closeID(with close: (hid_t) -> herr_t) {
        guard file.isOpen else { return }
        Library.prepareThread()
        _ = close(id)
    }
}
