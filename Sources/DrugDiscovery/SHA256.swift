import CKernels
import Foundation

/// SHA-256 (FIPS 180-4) of a file, as lower-case hex: output files record the model they came
/// from by this digest. Reads the file in 1 MiB pieces.
public func sha256Hex(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(piece) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}

/// SHA-256 of bytes given piece by piece; whole blocks go to the C kernel straight from each piece.
struct SHA256 {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    /// The bytes after the last whole block, fewer than 64.
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    mutating func update(_ data: Data) {
        length += UInt64(data.count)
        data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)[...]
            if !pending.isEmpty {
                let taken = Swift.min(64 - pending.count, bytes.count)
                pending += bytes.prefix(taken)
                bytes = bytes.dropFirst(taken)
                guard pending.count == 64 else { return }
                pending.withUnsafeBufferPointer { compress($0[...]) }
                pending = []
            }
            let whole = bytes.count / 64 * 64
            compress(bytes.prefix(whole))
            pending = Array(bytes.dropFirst(whole))
        }
    }

    mutating func finalize() -> [UInt8] {
        let bits = length * 8
        var tail = pending + [0x80]
        while tail.count % 64 != 56 { tail.append(0) }
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
        tail.withUnsafeBufferPointer { compress($0[...]) }
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    private mutating func compress(_ blocks: Slice<UnsafeBufferPointer<UInt8>>) {
        guard !blocks.isEmpty else { return }
        let start = UnsafeBufferPointer(rebasing: blocks).baseAddress
        state.withUnsafeMutableBufferPointer { galen_sha256_blocks($0.baseAddress, start, Int64(blocks.count / 64)) }
    }
}
