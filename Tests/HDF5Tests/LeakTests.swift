@preconcurrency import CHDF5
import Foundation
import HDF5
import Testing
import TestSupport

@Suite struct LeakTests {
    @Test func tenThousandOpenCloseCyclesLeaveNothingOpen() throws {
        try withTemporaryFile { path in try withTemporaryFile { probePath in
            let file = try HDF5File.create(path)
            try file.createDataset("g/names", elementType: .string, shape: [3]).write(["a", "ß", "日本"])
            try file.createDataset("g/rows", elementType: .float32, shape: [0, 4], unlimitedRows: true, chunks: [256, 4])
            try file.close()

            let (probeFile, probes) = try IDProbe.all(probePath)
            defer { H5Fclose(probeFile) }
            let marks = probes.map { $0.mark() }
            for cycle in 0..<10_000 {
                let file = try HDF5File.open(path, mode: .readWrite)
                let group = try file.group("g")
                _ = try group.dataset("names").read(as: String.self)
                let rows = try group.dataset("rows")
                try rows.append([Float](repeating: Float(cycle), count: 4))
                _ = try rows.readRows(cycle..<cycle + 1, as: Float.self)
                try rows.attributes.set("last", .int(cycle))
                _ = try rows.attributes.get("last")
                _ = try? file.dataset("missing")
                _ = try? rows.read(as: Int8.self)
                // Half the cycles close explicitly, half rely on deinit.
                if cycle.isMultiple(of: 2) { try file.close() }
            }

            // Other tests run in parallel and hold a few ids of their own; a leak would leave thousands.
            for (probe, mark) in zip(probes, marks) {
                let open = probe.openSince(mark)
                #expect(open < 100, "\(open) \(probe.kind) ids made during the cycles are still open")
            }
            let id = H5Fopen(path, 0, hid_t(H5P_DEFAULT))
            try #require(id >= 0)
            #expect(H5Fget_obj_count(id, 0x1F /* H5F_OBJ_ALL */) == 1, "objects of the file still open")
            H5Fclose(id)
            #expect(try HDF5File.open(path).dataset("g/rows").shape == [10_000, 4])
        } }
    }
}

/// Finds open ids of one kind made after a mark.
///
/// HDF5 numbers the ids of each kind consecutively, so the ids made between two probe ids
/// are exactly the numbers between them; `H5Iis_valid` tells which are still open.
/// (`H5Inmembers` refuses the library's own kinds.)
struct IDProbe {
    let kind: String
    let make: () -> hid_t
    let close: (hid_t) -> herr_t

    /// Probes for every kind of id the binding makes; file, group, dataset and attribute ids
    /// come from reopening a small file, whose id the caller closes when done.
    static func all(_ path: String) throws -> (file: hid_t, probes: [IDProbe]) {
        let file = try HDF5File.create(path)
        try file.createDataset("d", elementType: .uint8, shape: [1]).attributes.set("a", 1)
        try file.close()
        let id = H5Fopen(path, 0, hid_t(H5P_DEFAULT))
        try #require(id >= 0)
        return (id, [
            IDProbe(kind: "file", make: { H5Freopen(id) }, close: H5Fclose),
            IDProbe(kind: "group", make: { H5Gopen2(id, "/", hid_t(H5P_DEFAULT)) }, close: H5Gclose),
            IDProbe(kind: "dataset", make: { H5Dopen2(id, "d", hid_t(H5P_DEFAULT)) }, close: H5Dclose),
            IDProbe(kind: "attribute", make: { H5Aopen_by_name(id, "d", "a", hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)) }, close: H5Aclose),
            IDProbe(kind: "dataspace", make: { H5Screate(H5S_SCALAR) }, close: H5Sclose),
            IDProbe(kind: "datatype", make: { H5Tcopy(H5T_NATIVE_INT_g) }, close: H5Tclose),
            IDProbe(kind: "property list", make: { H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g) }, close: H5Pclose),
        ])
    }

    func mark() -> hid_t {
        let id = make()
        precondition(id >= 0, "cannot make a \(kind) id")
        _ = close(id)
        return id
    }

    func openSince(_ mark: hid_t) -> Int {
        let now = self.mark()
        return (mark + 1 ..< now).count { H5Iis_valid($0) > 0 }
    }
}
