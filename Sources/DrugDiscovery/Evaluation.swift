import NeuralNet

/// Metrics of one task's predictions on labelled compounds.
public struct TaskReport: Sendable, Codable, Equatable {
    public let task: String
    public let unit: String
    public let count: Int
    public let rmse: Double
    public let mae: Double
    public let rSquared: Double
    public let pearson: Double
    public let spearman: Double
    /// For tasks whose labels are all 0 or 1.
    public let rocAUC: Double?
}

extension EfficacyModel {
    /// Per-task metrics of this model's predictions for `rows` of `library`, for the model's
    /// tasks that the library measures (a multi-task model scores on a single-target library).
    /// `modelPath` names the model in errors.
    public func evaluate(_ library: CompoundLibrary, rows: [Int], modelPath: String = "the model") throws -> [TaskReport] {
        try requireFingerprints(bits: library.bits, method: library.fingerprintMethod, of: library.path, like: (fingerprintBits, fingerprintMethod),
                                as: "the model \(modelPath) expects")
        let scored = taskNames.indices.filter { library.assayNames.contains(taskNames[$0]) }
        guard !scored.isEmpty else {
            throw LibraryError(path: library.path, problems: ["measures none of the model's tasks (\(taskNames.joined(separator: ", ")))"])
        }
        let columns = try library.assayColumns(scored.map { taskNames[$0] })
        let predicted = predict(library.fingerprints(rows)).values.scalars
        // Weights out of range, though finite (so loadable), can overflow; such values have no metrics.
        if let index = predicted.firstIndex(where: { !$0.isFinite }) {
            throw LibraryError(path: modelPath, problems: [
                "gives row \(rows[index / taskNames.count]) of \(library.path) the \(taskNames[index % taskNames.count]) value \(predicted[index]) (its weights are out of range)",
            ])
        }
        let measured = library.values(rows, columns: columns).scalars
        let tasks = taskNames.count
        return scored.enumerated().map { index, task in
            let p = stride(from: task, to: predicted.count, by: tasks).map { predicted[$0] }
            let t = stride(from: index, to: measured.count, by: scored.count).map { measured[$0] }
            let labelled = t.filter { !$0.isNaN }
            let binary = !labelled.isEmpty && labelled.allSatisfy { $0 == 0 || $0 == 1 }
            return TaskReport(task: taskNames[task], unit: taskUnits[task], count: labelled.count,
                              rmse: Metrics.rootMeanSquaredError(p, t), mae: Metrics.meanAbsoluteError(p, t),
                              rSquared: Metrics.rSquared(p, t), pearson: Metrics.pearson(p, t), spearman: Metrics.spearman(p, t),
                              rocAUC: binary ? Metrics.rocAUC(p, t) : nil)
        }
    }
}
