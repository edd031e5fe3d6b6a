import DrugDiscovery
import Foundation
import HDF5
import Testing
import TensorCore
import TestSupport

/// The smallest MoleculeACE target, prepared by `.ci/setup` (datasets/prepare.py).
let smallTarget = TestSupport.preparedData.appendingPathComponent("moleculeace/CHEMBL2835_Ki.h5").path

@Suite("Compound libraries")
struct LibraryTests {
    @Test func swiftReadsWhatH5pyReads() throws {
        let library = try CompoundLibrary.load(smallTarget)
        let script = """
            import h5py, json, numpy as np, sys
            f = h5py.File(sys.argv[1], "r")
            bits = np.unpackbits(f["fingerprints"][:3], axis=1)[:, : f["fingerprints"].attrs["n_bits"]]
            print(json.dumps({"ids": list(f["ids"].asstr()[:3]), "on": [np.flatnonzero(r).tolist() for r in bits],
                              "values": f["assays/values"][:3, 0].tolist(), "split": f["splits/moleculeace"][:].tolist()}))
            """
        let run = try runTool(["python3", "-c", script, smallTarget])
        #expect(run.status == 0, "\(run.errors)")
        let expected = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [String: Any]
        #expect(Array(library.ids.prefix(3)) == expected["ids"] as! [String])
        let fingerprints = library.fingerprints([0, 1, 2])
        let onBits = (0..<3).map { row in (0..<library.bits).filter { fingerprints.scalars[row * library.bits + $0] == 1 } }
        #expect(onBits == expected["on"] as! [[Int]])
        #expect(library.values([0, 1, 2], columns: [0]).scalars == (expected["values"] as! [Double]).map(Float.init))
        #expect(library.splits["moleculeace"]!.map(Int.init) == expected["split"] as! [Int])
    }

    /// Widths that end inside a byte and inside an eight-byte word: the streamed on-bits are those
    /// numpy unpacks, for every row.
    @Test(arguments: [20, 75, 128])
    func streamedOnBitsAreTheUnpackedBits(_ bits: Int) throws {
        try withTemporaryFile { path in
            let script = """
                import h5py, json, numpy as np, sys
                bits = int(sys.argv[2])
                rows = np.random.default_rng(bits).random((40, bits)) < 0.3
                rows[3] = False
                with h5py.File(sys.argv[1], "w") as f:
                    f.attrs["galen_contract"] = "compound-library/1"
                    f["ids"] = np.array([f"c{i}" for i in range(40)], dtype=h5py.string_dtype())
                    f["fingerprints"] = np.packbits(rows, axis=1)
                    f["fingerprints"].attrs["n_bits"] = bits
                print(json.dumps(rows.astype(int).ravel().tolist()))
                """
            let run = try runTool(["python3", "-c", script, path, String(bits)])
            #expect(run.status == 0, "\(run.errors)")
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [Int])
            let onBits = try LibraryStream(path: path).read(0..<40).onBits(bits: bits)
            let identity = Tensor((0..<(bits * bits)).map { $0 / bits == $0 % bits ? Float(1) : 0 }, shape: [bits, bits])
            #expect(onBits.matmul(ColumnTiles(identity)).scalars == expected.map(Float.init))
        }
    }

    @Test func scaffoldSplitKeepsEachScaffoldInOnePartAndRepeatsForASeed() throws {
        let library = try CompoundLibrary.load(smallTarget)
        let split = try library.split(.scaffold, seed: 4)
        let scaffolds = try #require(library.scaffolds)
        let parts = [split.train, split.validation, split.test].map { Set($0.map { scaffolds[$0] }) }
        #expect(parts[0].isDisjoint(with: parts[1]) && parts[0].isDisjoint(with: parts[2]) && parts[1].isDisjoint(with: parts[2]))
        #expect(split.train.count + split.validation.count + split.test.count == library.count)
        #expect(abs(Double(split.train.count) / Double(library.count) - 0.8) < 0.05)
        #expect(try library.split(.scaffold, seed: 4) == split)
        #expect(try library.split(.scaffold, seed: 5) != split)
    }

    /// prepare.py stores its seeded random split as /splits/random: a user naming the random split
    /// of such a file gets that one, whatever the seed; the method itself stays Galen's own shuffle.
    @Test func aStoredSplitNamedRandomIsTheOneAUserNames() throws {
        let library = try CompoundLibrary.load(TestSupport.preparedData.appendingPathComponent("esol.h5").path)
        let stored = try #require(library.splits["random"])
        #expect(library.splitMethod(named: "random") == .stored("random") && library.splitMethod(named: "scaffold") == .scaffold)
        for seed: UInt64 in [0, 7] {
            let split = try library.split(library.splitMethod(named: "random"), seed: seed)
            #expect([split.train, split.validation, split.test] == (0...2).map { code in stored.indices.filter { stored[$0] == code } }, "seed \(seed)")
        }
        #expect(try library.split(.random, seed: 0) != library.split(.random, seed: 7), "the method shuffles by its seed")
    }

    @Test func storedSplitWithoutValidationGetsOneCarvedFromTraining() throws {
        let library = try CompoundLibrary.load(smallTarget)
        let split = try library.split(.stored("moleculeace"), seed: 0)
        let stored = library.splits["moleculeace"]!
        #expect(split.test == stored.indices.filter { stored[$0] == 2 }, "the published test part is kept as it is")
        #expect(Set(split.train + split.validation) == Set(stored.indices.filter { stored[$0] == 0 }))
        #expect(abs(Double(split.validation.count) / Double(split.train.count + split.validation.count) - 0.1) < 0.01)
    }
}
