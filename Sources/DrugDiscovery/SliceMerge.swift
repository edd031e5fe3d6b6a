import HDF5

/// Joins the outputs of `galen encode` or `galen predict` run on slices of one library
/// (`--rows A:B`) into one file, after checking that the slices come from the same model and
/// library and tile its rows exactly: no gap, no overlap. The merged rows are compressed as the
/// first slice's are.
public func mergeSlices(_ parts: [String], into outputPath: String, blockSize: Int = 65536) throws {
    struct Slice {
        let path: String
        let file: HDF5File
        let provenance: OutputProvenance
        let attributes: [String: AttributeValue]
        var start: Int { provenance.rows.lowerBound }
        var end: Int { provenance.rows.upperBound }
    }
    func fail(_ path: String, _ problem: String) -> LibraryError { LibraryError(path: path, problems: [problem]) }
    let slices = try parts.map { path -> Slice in
        let file = try HDF5File.open(path)
        var attributes: [String: AttributeValue] = [:]
        for name in try file.attributes.names() { attributes[name] = try file.attributes.get(name) }
        guard case .string(let kind)? = attributes["galen_output"], [EfficacyModel.embeddingsKind, EfficacyModel.predictionsKind].contains(kind) else {
            throw fail(path, "is not an output of galen encode or predict (its galen_output attribute says neither)")
        }
        return Slice(path: path, file: file, provenance: try OutputProvenance(of: file, kind: kind), attributes: attributes)
    }.sorted { $0.start < $1.start }
    guard let first = slices.first else { throw fail(outputPath, "no slices to merge") }
    for key in ["galen_output", "model_sha256", "source_library", "source_rows", "latent_size", "ensemble_members"] {
        if let other = slices.first(where: { $0.attributes[key] != first.attributes[key] }) {
            throw fail(other.path, "differs from \(first.path) in \(key): slices must come from one model and one library")
        }
    }
    let total = first.provenance.libraryRows
    var expected = 0
    for slice in slices {
        if slice.start > expected { throw fail(slice.path, "starts at row \(slice.start), leaving rows \(expected)..<\(slice.start) uncovered") }
        if slice.start < expected { throw fail(slice.path, "starts at row \(slice.start), overlapping rows up to \(expected)") }
        expected = slice.end
    }
    guard expected == total else { throw fail(slices.last!.path, "ends at row \(expected), but the library has \(total) rows") }

    let datasets = try first.file.datasetPaths()
    if let other = try slices.first(where: { try Set($0.file.datasetPaths()) != Set(datasets) }) {
        throw fail(other.path, "holds other datasets than \(first.path)")
    }
    // Every slice's per-row datasets must have its rows and valid values (checked as they are
    // copied); the rest (task names and units) must be the same in every slice and are copied from the first.
    let rowDatasets = datasets.filter(perRowDatasets.contains)
    for path in datasets where !rowDatasets.contains(path) {
        let reference = try OutputValues(try first.file.dataset(path))
        if let other = try slices.first(where: { try OutputValues(try $0.file.dataset(path)) != reference }) {
            throw fail(other.path, "\(path) differs from \(first.path)'s: slices must come from one model")
        }
    }
    try HDF5File.createAtomically(outputPath) { output in
        for (name, value) in first.attributes { try output.attributes.set(name, value) }
        try output.attributes.set("row_start", .int(0))
        try output.attributes.set("row_end", .int(total))
        for path in datasets where !rowDatasets.contains(path) {
            let source = try first.file.dataset(path)
            let copy = try output.createDataset(path, elementType: try source.elementType, shape: try source.shape)
            try OutputValues(source).write(to: copy)
        }
        for path in rowDatasets {
            let template = try first.file.dataset(path)
            let shape = try template.shape, type = try template.elementType, compression = try template.compression
            let width = Swift.max(shape.dropFirst().reduce(1, *), 1)
            let target = try output.createDataset(path, elementType: type, shape: [total] + shape.dropFirst(),
                                                  chunks: [Swift.min(4096, total)] + shape.dropFirst(),
                                                  gzipLevel: compression.gzipLevel, shuffle: compression.shuffle)
            for slice in slices {
                let source = try slice.file.dataset(path)
                guard try source.shape == [slice.end - slice.start] + shape.dropFirst(), try source.elementType == type else {
                    throw fail(slice.path, "\(path) has shape \(try source.shape) of \(try source.elementType), not \([slice.end - slice.start] + shape.dropFirst()) of \(type) for rows \(slice.start):\(slice.end)")
                }
                let step = Swift.max(1, blockSize / width)
                for from in stride(from: 0, to: slice.end - slice.start, by: step) {
                    let values = try OutputValues(source, rows: from..<Swift.min(from + step, slice.end - slice.start))
                    if let (index, value) = values.firstInvalid(in: path) {
                        throw fail(slice.path, "\(path) row \(slice.start + from + index / width) of the library holds \(value)")
                    }
                    try values.write(to: target, at: slice.start + from)
                }
            }
        }
    }
}

/// The datasets of encode's and predict's outputs with one row per compound.
private let perRowDatasets: Set = ["ids", "embeddings", "predictions/values", "predictions/spread"]
