import HDF5

extension Inspect {
    /// A file galen wrote (embeddings, predictions, probabilities): its kind, where it came from
    /// and its datasets.
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
        if json {
            try printJSON(["kind": AnyEncodable(kind), "attributes": AnyEncodable(attributes), "datasets": AnyEncodable(datasets)])
        } else {
            print("\(file): galen output \(kind)")
            print(table(["attribute", "value"], attributes.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
            print(table(["dataset", "type and shape"], datasets.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
        }
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
