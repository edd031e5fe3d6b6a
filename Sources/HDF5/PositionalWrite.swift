#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `count` bytes to `offset` of the file open as `descriptor`, again after interruptions and
/// short writes. False on a failure, with `errno` saying why.
func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawPointer, count: Int, at offset: Int) -> Bool {
    var done = 0
    while done < count {
        let written = pwrite(descriptor, bytes + done, count - done, off_t(offset + done))
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        done += written
    }
    return true
}
