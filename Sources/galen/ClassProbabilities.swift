import HDF5
import TensorCore

/// Class probabilities of `galen image predict` and `galen sequence predict`, written to HDF5 or
/// (by the output's extension) CSV: `row`, the id and the predicted class when given, then one column per class.
struct ClassProbabilities {
    let kind: String
    let model: String
    let data: String
    let classes: [String]
    /// [N, classes].
    let probabilities: Tensor
    let predicted: [Int]?
    let ids: [String]?

    func write(to path: String) throws {
        if path.lowercased().hasSuffix(".csv") {
            try TextFile.createAtomically(path) { try $0.write(csv) }
            return
        }
        try HDF5File.createAtomically(path) { file in
            try file.attributes.set("galen_output", .string(kind))
            try file.attributes.set("model_path", .string(canonicalPath(model)))
            try file.attributes.set("source_data", .string(canonicalPath(data)))
            try file.createDataset("probabilities", elementType: .float32, shape: probabilities.shape).write(probabilities.scalars)
            if let predicted { try file.createDataset("predicted", elementType: .int64, shape: [predicted.count]).write(predicted.map { Int64($0) }) }
            try file.createDataset("classes", elementType: .string, shape: [classes.count]).write(classes)
            if let ids { try file.createDataset("ids", elementType: .string, shape: [ids.count]).write(ids) }
        }
    }

    private var csv: String {
        let header = ["row"] + (ids == nil ? [] : ["id"]) + (predicted == nil ? [] : ["predicted"]) + classes
        var text = header.map(csvField).joined(separator: ",") + "\n"
        for row in 0..<probabilities.shape[0] {
            let values = (0..<classes.count).map { "\(probabilities.scalars[row * classes.count + $0])" }
            let labels = (ids.map { [csvField($0[row])] } ?? []) + (predicted.map { [csvField(classes[$0[row]])] } ?? [])
            text += (["\(row)"] + labels + values).joined(separator: ",") + "\n"
        }
        return text
    }
}

/// `probabilities` [rows, classes] that `model` gives rows `rows` of `data` (all of them when nil),
/// refused unless all are finite: weights out of range (finite, so loadable) can overflow, and such
/// values are no probabilities to score or write.
func finiteProbabilities(_ probabilities: Tensor, rows: [Int]? = nil, model: String, data: String) throws -> Tensor {
    guard let index = probabilities.scalars.firstIndex(where: { !$0.isFinite }) else { return probabilities }
    let row = index / probabilities.shape[1]
    throw CommandError("\(model): gives row \(rows?[row] ?? row) of \(data) the probability \(probabilities.scalars[index]) (its weights are out of range)")
}

/// `text` as one CSV field: quoted when it holds a comma, a quote or a line break.
func csvField(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"" : text
}
