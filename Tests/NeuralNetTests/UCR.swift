import Foundation
import TensorCore
import TestSupport

/// A UCR-format file from the shared data: one series per line, the class label first.
/// Labels become 0/1.
func ucr(_ name: String) throws -> (series: Tensor, labels: Tensor) {
    let text = try String(contentsOf: TestSupport.sharedData.appendingPathComponent(name), encoding: .utf8)
    let rows = text.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
    let labels = rows.map { $0[0] > 0 ? Float(1) : 0 }
    return (Tensor(rows: rows.map { Array($0.dropFirst()) }), Tensor(labels, shape: [labels.count, 1]))
}
