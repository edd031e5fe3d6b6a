import ArgumentParser
import DrugDiscovery
import HDF5

extension Inspect {
    /// A file galen wrote (embeddings, predictions, probabilities): its kind, where it came from
    /// and its datasets, checked against the output's contract (Galen.docc/OutputFiles.md).
    func describeOutput(kind: String) throws {
        let root = try HDF5File.open(file)
        defer { try? root.close() }
        var attributes: [String: AttributeValue] = [:]
        for name in try root.attributes.names() where name != "galen_output" { attributes[name] = try root.attributes.get(name) }
        var datasets: [String: String] = [:]
        for path in try root.datasetPaths() {
            let dataset = try root.dataset(path)
            datasets[path] = "\(try dataset.elementType) \(try dataset.shape)"
        }
        let problems = try outputProblems(root, kind: kind)
        if json {
            try printJSON(["kind": AnyEncodable(kind), "attributes": AnyEncodable(attributes), "datasets": AnyEncodable(datasets),
                           "problems": AnyEncodable(problems)])
        } else {
            print("\(file): galen output \(kind)")
            print(table(["attribute", "value"], attributes.sorted { $0.key < $1.key }.map { [$0.key, text($0.value)] }))
            print(table(["dataset", "type and shape"], datasets.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
            if !problems.isEmpty { print(problemList(problems)) }
        }
        if !problems.isEmpty { throw ExitCode.failure }
    }

    /// What in an output breaks its contract: missing datasets, value datasets that are not floats
    /// without NaN (``OutputValues/firstInvalid``, and for a spread nothing below zero) of one row per
    /// id and one column per name (or per latent unit), provenance that merge could not rely on.
    private func outputProblems(_ root: HDF5File, kind: String) throws -> [String] {
        let (values, required, names): ([String], [String], String?)
        switch kind {
        case EfficacyModel.embeddingsKind: (values, required, names) = (["embeddings"], ["embeddings", "ids"], nil)
        case EfficacyModel.predictionsKind:
            (values, required, names) = (["predictions/values", "predictions/spread"], ["predictions/values", "predictions/names", "ids"], "predictions/names")
        case ImagePredict.outputKind, SequencePredict.outputKind: (values, required, names) = (["probabilities"], ["probabilities", "classes"], "classes")
        default: return ["galen_output '\(kind)' is not a kind of output this version of galen writes"]
        }
        let missing = try required.filter { try !root.contains($0) }.map { "/\($0) is missing" }
        guard missing.isEmpty else { return missing }
        var problems: [String] = []
        let rows = try root.dataset(values[0]).shape.first ?? 0
        let columns: Int?
        if let names {
            columns = try root.dataset(names).shape.first
        } else if try root.attributes.contains("latent_size"), case .int(let latent) = try root.attributes.get("latent_size") {
            columns = latent
        } else {
            columns = nil
            problems.append("the attribute latent_size is missing or not a whole number")
        }
        for path in values where try root.contains(path) {
            let dataset = try root.dataset(path)
            let (type, shape) = (try dataset.elementType, try dataset.shape)
            guard type == .float32 || type == .float16, shape.count == 2, shape[0] == rows, columns == nil || shape[1] == columns else {
                problems.append("/\(path) is \(type) \(shape), expected float32 or float16 [\(rows), \(columns.map(String.init) ?? "columns")]")
                continue
            }
            let width = Swift.max(shape[1], 1), block = Swift.max(1, 1 << 24 / width)
            for start in stride(from: 0, to: rows, by: block) {
                let values = try OutputValues(dataset, rows: start..<Swift.min(start + block, rows))
                if let (index, value) = values.firstInvalid(in: path) {
                    problems.append("/\(path) row \(start + index / width) holds \(value)")
                    break
                }
            }
        }
        if try root.contains("ids") {
            let ids = try root.dataset("ids")
            if try ids.elementType != .string || ids.shape != [rows] {
                problems.append("/ids is \(try ids.elementType) \(try ids.shape), expected string [\(rows)]")
            }
        }
        if kind == EfficacyModel.embeddingsKind || kind == EfficacyModel.predictionsKind {
            do { _ = try OutputProvenance(of: root, kind: kind) } catch let failure as LibraryError { problems += failure.problems }
        }
        return problems
    }

    private func text(_ value: AttributeValue) -> String {
        switch value {
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .float(let number): "\(number)"
        case .string(let string): string
        case .ints(let numbers): "\(numbers)"
        case .doubles(let numbers): "\(numbers)"
        case .floats(let numbers): "\(numbers)"
        case .strings(let strings): "\(strings)"
        }
    }
}
