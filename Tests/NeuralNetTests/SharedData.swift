import Foundation
import TensorCore

/// The public datasets in `shared/data` beside the checkout. CI has them; a missing file fails
/// the test that needs it rather than skipping it.
enum SharedData {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data")

    /// A UCR-format file: one series per line, the class label first. Labels become 0/1.
    static func ucr(_ name: String) throws -> (series: Tensor, labels: Tensor) {
        let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
        let labels = rows.map { $0[0] > 0 ? Float(1) : 0 }
        return (Tensor(rows: rows.map { Array($0.dropFirst()) }), Tensor(labels, shape: [labels.count, 1]))
    }
}
