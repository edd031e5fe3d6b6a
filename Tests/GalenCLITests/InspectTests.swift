import Foundation
import HDF5
import Testing
import TestSupport

/// A small valid library (the first 20 compounds of a real target), then one change that breaks
/// the contract.
private func brokenLibrary(at path: String, _ breakIt: (HDF5File) throws -> Void) throws {
    let source = try HDF5File.open(smallTarget)
    let rows = 0..<20
    let file = try HDF5File.create(path, ifExists: .truncate)
    try file.attributes.set("galen_contract", "compound-library/1")
    try file.attributes.set("producer", "GalenCLITests")
    try file.attributes.set("created", "2026-12-02T00:00:00Z")
    try file.createDataset("ids", elementType: .string, shape: [20]).write(try source.dataset("ids").readRows(rows, as: String.self))
    let fingerprints = try file.createDataset("fingerprints", elementType: .uint8, shape: [20, 256])
    try fingerprints.write(try source.dataset("fingerprints").readRows(rows, as: UInt8.self))
    try fingerprints.attributes.set("n_bits", 2048)
    try file.createDataset("assays/values", elementType: .float32, shape: [20, 1])
        .write(try source.dataset("assays/values").readRows(rows, as: Float.self))
    try file.createDataset("assays/names", elementType: .string, shape: [1]).write(["CHEMBL2835_Ki"])
    try file.createDataset("splits/moleculeace", elementType: .int8, shape: [20])
        .write(try source.dataset("splits/moleculeace").readRows(rows, as: Int8.self))
    try breakIt(file)
    try file.close()
}

@Suite("galen inspect")
struct InspectTests {
    @Test func describesARealLibrary() throws {
        let run = try galen("inspect", smallTarget)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("compound library, 615 compounds"))
        #expect(run.output.contains("fingerprints: 2048 bits, 3.58 % on on average"))
        #expect(run.output.contains("CHEMBL2835_Ki   pKi       615  5.34  10.00  8.67"))
        #expect(run.output.contains("split moleculeace: 489 train, 0 validation, 126 test"))
        let json = try galen("inspect", smallTarget, "--json")
        let summary = (try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["summary"] as? [String: Any]
        #expect(summary?["compounds"] as? Int == 615)
    }

    @Test func describesImageAndSequenceSets() throws {
        let images = try galen("inspect", TestSupport.preparedData.appendingPathComponent("breastmnist.h5").path)
        #expect(images.status == 0, "\(images.errors)")
        #expect(images.output.contains("image set, 780 images of 1×28×28"))
        #expect(images.output.contains("classes: malignant 210, normal or benign 570"))
        #expect(images.output.contains("split medmnist: 546 train, 78 validation, 156 test\nconforms to image-set/1"))
        let sequences = try galen("inspect", TestSupport.preparedData.appendingPathComponent("physionet2012.h5").path, "--json")
        let summary = try JSONSerialization.jsonObject(with: Data(sequences.output.utf8)) as? [String: Any]
        #expect(summary?["kind"] as? String == "sequence set" && summary?["rows"] as? Int == 4000, "\(sequences.output) \(sequences.errors)")
        #expect(summary?["shape"] as? [Int] == [48, 111] && summary?["statics"] as? Int == 8)
        // A set readers take but whose provenance is gone does not conform.
        try withTemporaryFolder { folder in
            let copy = folder.appendingPathComponent("ecg200.h5").path
            try copyEdited(TestSupport.preparedData.appendingPathComponent("ecg200.h5").path, to: copy, "del f.attrs['created']")
            let run = try galen("inspect", copy)
            #expect(run.status == 1 && run.output.hasSuffix("1 problem:\n  - root attribute created is missing\n"), "\(run.output)")
        }
    }

    static let violations: [(String, String, @Sendable (HDF5File) throws -> Void)] = [
        ("contract", "root attribute galen_contract is 'compound-library/9', not compound-library/1", {
            try $0.attributes.set("galen_contract", "compound-library/9")
        }),
        ("no ids", "/ids is missing", { try $0.remove("ids") }),
        ("producer", "root attribute producer should be a non-empty string", { try $0.attributes.set("producer", .int(3)) }),
        ("repeated ids", "/ids are not unique", { file in
            var ids = try file.dataset("ids").read(as: String.self)
            ids[5] = ids[4]
            try file.dataset("ids").write(ids)
        }),
        ("empty id", "/ids row 5 is empty", { file in
            var ids = try file.dataset("ids").read(as: String.self)
            ids[5] = ""
            try file.dataset("ids").write(ids)
        }),
        ("ids shape", "/ids has shape [20, 2], expected [N]", { file in
            try file.remove("ids")
            try file.createDataset("ids", elementType: .string, shape: [20, 2]).write((0..<40).map { "c\($0)" })
        }),
        ("rows disagree", "/assays/values is float32 [19, 1], expected float32 [20, T]", { file in
            try file.remove("assays/values")
            try file.createDataset("assays/values", elementType: .float32, shape: [19, 1]).write([Float](repeating: 7, count: 19))
        }),
        ("fingerprint type", "/fingerprints is int32 [20, 256]", { file in
            try file.remove("fingerprints")
            let data = try file.createDataset("fingerprints", elementType: .int32, shape: [20, 256])
            try data.write([Int32](repeating: 0, count: 20 * 256))
            try data.attributes.set("n_bits", 2048)
        }),
        ("fingerprint width", "/fingerprints is uint8 [20, 100]; with n_bits = 2048", { file in
            try file.remove("fingerprints")
            let data = try file.createDataset("fingerprints", elementType: .uint8, shape: [20, 100])
            try data.write([UInt8](repeating: 0, count: 2000))
            try data.attributes.set("n_bits", 2048)
        }),
        ("no n_bits", "/fingerprints has no positive integer attribute n_bits", { file in
            try file.remove("fingerprints")
            try file.createDataset("fingerprints", elementType: .uint8, shape: [20, 256]).write([UInt8](repeating: 0, count: 5120))
        }),
        ("NaN bits", "/fingerprints row 3 holds nan (NaN), not 0 or 1", { file in
            try file.remove("fingerprints")
            var bits = [Float](repeating: 0, count: 20 * 16)
            bits[3 * 16 + 2] = .nan
            let data = try file.createDataset("fingerprints", elementType: .float32, shape: [20, 16])
            try data.write(bits)
            try data.attributes.set("n_bits", 16)
        }),
        ("unpacked 2", "/fingerprints is unpacked but row 7 holds 2, not 0 or 1", { file in
            try file.remove("fingerprints")
            var bits = [UInt8](repeating: 0, count: 20 * 16)
            bits[7 * 16] = 2
            let data = try file.createDataset("fingerprints", elementType: .uint8, shape: [20, 16])
            try data.write(bits)
            try data.attributes.set("n_bits", 16)
        }),
        ("infinite value", "/assays/values row 2 holds inf", { file in
            var values = try file.dataset("assays/values").read(as: Float.self)
            values[2] = .infinity
            try file.dataset("assays/values").write(values)
        }),
        ("names count", "/assays/names has shape [2], expected [1]", { file in
            try file.remove("assays/names")
            try file.createDataset("assays/names", elementType: .string, shape: [2]).write(["a", "b"])
        }),
        ("split value", "/splits/moleculeace row 0 is 3; splits are 0 train, 1 validation, 2 test", { file in
            var codes = try file.dataset("splits/moleculeace").read(as: Int8.self)
            codes[0] = 3
            try file.dataset("splits/moleculeace").write(codes)
        }),
        ("split type", "/splits/random is int64 [20], expected int8 [20]", { file in
            try file.createDataset("splits/random", elementType: .int64, shape: [20]).write([Int64](repeating: 0, count: 20))
        }),
    ]

    @Test(arguments: violations.indices)
    func reportsEachViolation(_ index: Int) throws {
        let (name, message, breakIt) = Self.violations[index]
        try withTemporaryFile { path in
            try brokenLibrary(at: path, breakIt)
            let run = try galen("inspect", path)
            #expect(run.status == 1, "\(name): exit status \(run.status)")
            #expect(run.output.contains(message), "\(name): output was \(run.output) \(run.errors)")
        }
    }

    /// The other datasets are measured against the fingerprints' rows, not blamed for the missing ids.
    @Test func missingIdsAreTheOnlyProblem() throws {
        try withTemporaryFile { path in
            try brokenLibrary(at: path) { try $0.remove("ids") }
            let run = try galen("inspect", path)
            #expect(run.status == 1 && run.output.contains("1 problem:") && run.output.contains("/ids is missing"), "\(run.output)")
        }
    }

    /// A dataset compressed with a filter libhdf5 lacks (h5py's own lzf) is named with the filter.
    @Test func aFilterLibhdf5LacksIsNamed() throws {
        try withTemporaryFolder { folder in
            let library = folder.appendingPathComponent("lzf.h5").path
            try copyEdited(smallTarget, to: library, """
                bits, attributes = f["fingerprints"][:], dict(f["fingerprints"].attrs)
                del f["fingerprints"]
                f.create_dataset("fingerprints", data=bits, compression="lzf", chunks=(64, bits.shape[1])).attrs.update(attributes)
                """)
            let run = try galen("inspect", library)
            #expect(run.status == 1 && run.errors.contains("dataset '/fingerprints' in '\(library)': it is compressed with the lzf (id 32000) filter, which this libhdf5 lacks"),
                    "\(run.errors)")
        }
    }

    @Test(arguments: ["empty", "text", "truncated", "folder"])
    func refusesFilesThatAreNotHDF5(_ kind: String) throws {
        try withTemporaryFile { path in
            switch kind {
            case "empty": _ = FileManager.default.createFile(atPath: path, contents: Data())
            case "text": _ = FileManager.default.createFile(atPath: path, contents: Data("smiles,value\nCCO,1\n".utf8))
            case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            default:
                let whole = try Data(contentsOf: URL(fileURLWithPath: smallTarget))
                _ = FileManager.default.createFile(atPath: path, contents: whole.prefix(whole.count / 2))
            }
            let run = try galen("inspect", path)
            #expect(run.status != 0)
            let lines = run.errors.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(path), "one line naming the file: \(run.errors)")
        }
    }
}
