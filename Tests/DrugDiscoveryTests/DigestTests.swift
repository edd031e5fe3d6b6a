import CKernels
import DrugDiscovery
import Foundation
import TensorCore
import Testing
import TestSupport

@Suite("Model digests")
struct DigestTests {
    /// FIPS 180-4's examples, the last of 1,000,000 bytes.
    @Test(arguments: [
        ("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("a", 1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func standardVectors(_ text: String, _ repeats: Int, _ digest: String) throws {
        try withTemporaryFile(suffix: ".txt") { path in
            try Data(String(repeating: text, count: repeats).utf8).write(to: URL(fileURLWithPath: path))
            #expect(try sha256Hex(ofFile: path) == digest)
        }
    }

    /// A file of several 1 MiB pieces whose length ends mid-block, against coreutils' sha256sum.
    @Test func filesReadInPiecesMatchSha256sum() throws {
        var generator = RandomGenerator(seed: 7)
        let bytes = (0..<(3 << 20) + 37).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try withTemporaryFile(suffix: ".bin") { path in
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let run = try runTool(["sha256sum", path])
            #expect(run.status == 0, "\(run.errors)")
            #expect(try sha256Hex(ofFile: path) == String(run.output.prefix(64)))
        }
    }

    /// The SHA-extension kernel (when this processor has it) and the portable one agree.
    @Test func kernelsAgree() {
        var generator = RandomGenerator(seed: 7)
        let blocks = (0..<64 * 1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var (dispatched, portable) = ([UInt32](repeating: 0x0123_4567, count: 8), [UInt32](repeating: 0x0123_4567, count: 8))
        galen_sha256_blocks(&dispatched, blocks, 1000)
        galen_sha256_blocks_portable(&portable, blocks, 1000)
        #expect(dispatched == portable)
    }
}
