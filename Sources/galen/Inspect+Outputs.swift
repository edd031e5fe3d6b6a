import ArgumentParser
import DrugDiscovery
import HDF5

extension Inspect {
    /// A file galen wrote (embeddings, predictions, probabilities): its kind, where it came from
    /// and its datasets, checked against the output's contract (Galen.docc/OutputFiles.md).
    func describeOutput(kind: String) throws {
        let root = try HDF5File.open(file)
        defer { try? root.close() }
        var attributes: [String: String] = [:]
        for name in try root.attributes.names() where name != "galen_output" { attributes[name] = text(try root.attributes.get(name)) }
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
            print(table(["attribute", "value"], attributes.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
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
            problems += try provenanceProblems(root, rows: rows, spread: kind == EfficacyModel.predictionsKind)
        }
        return problems
    }

    /// What `galen merge` relies on in an encode or predict output: where its rows came from, and
    /// for predictions a spread exactly when an ensemble made them.
    private func provenanceProblems(_ root: HDF5File, rows: Int, spread: Bool) throws -> [String] {
        func value(_ name: String) throws -> AttributeValue? { try root.attributes.contains(name) ? try root.attributes.get(name) : nil }
        var problems: [String] = []
        for name in ["model_path", "source_library"] {
            if case .string(let text)? = try value(name), !text.isEmpty { continue }
            problems.append("the attribute \(name) is missing or not a path")
        }
        if case .string(let digest)? = try value("model_sha256"), digest.count == 64, digest.allSatisfy(\.isHexDigit) {} else {
            problems.append("the attribute model_sha256 is missing or not 64 hexadecimal digits")
        }
        if case .int(let start)? = try value("row_start"), case .int(let end)? = try value("row_end"), case .int(let total)? = try value("source_rows") {
            if !(0 <= start && start <= end && end <= total) { problems.append("rows \(start):\(end) are not a slice of the library's \(total)") }
            if end - start != rows { problems.append("row_start \(start) and row_end \(end) do not span its \(rows) rows") }
        } else {
            problems.append("the attributes row_start, row_end and source_rows must be whole numbers")
        }
        guard spread else { return problems }
        guard case .int(let members)? = try value("ensemble_members"), members >= 1 else {
            return problems + ["the attribute ensemble_members is missing or not a positive whole number"]
        }
        if try root.contains("predictions/spread") != (members > 1) {
            problems.append(members > 1 ? "/predictions/spread is missing for an ensemble of \(members)" : "/predictions/spread is there for a single model")
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
