/// Per-task mean and standard deviation of the training labels: the head learns standardised
/// targets and predictions come back in the assay's own units.
public struct TargetScaling: Sendable, Equatable {
    public let means: [Float]
    public let deviations: [Float]

    public init(means: [Float], deviations: [Float]) {
        self.means = means
        self.deviations = deviations
    }

    /// Statistics of the measured values of `rows` in [rows × tasks] `values`; a task with no
    /// spread (or no labels) keeps a deviation of 1.
    public init(values: [Float], tasks: Int, rows: [Int]) {
        var means = [Float](repeating: 0, count: tasks), deviations = [Float](repeating: 1, count: tasks)
        for task in 0..<tasks {
            let labels = rows.map { Double(values[$0 * tasks + task]) }.filter { !$0.isNaN }
            guard !labels.isEmpty else { continue }
            let mean = labels.reduce(0, +) / Double(labels.count)
            let variance = labels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(labels.count)
            means[task] = Float(mean)
            if variance > 0 { deviations[task] = Float(variance.squareRoot()) }
        }
        self.init(means: means, deviations: deviations)
    }

    public func standardized(_ values: [Float], tasks: Int) -> [Float] {
        values.enumerated().map { ($1 - means[$0 % tasks]) / deviations[$0 % tasks] }
    }

    public func original(_ values: [Float], tasks: Int) -> [Float] {
        values.enumerated().map { $1 * deviations[$0 % tasks] + means[$0 % tasks] }
    }
}
