import ArgumentParser
import DrugDiscovery
import Foundation

/// `galen evaluate`: a trained model's metrics per task on a part of a library's split.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a model's RMSE, MAE, R², Pearson and Spearman (and ROC-AUC for binary tasks) per task.")

    @Option(help: "The model file from galen train.")
    var model: String

    @Option(help: "The compound library to score.")
    var library: String

    @Option(help: "Which part to score: train, validation, test or all.")
    var split: Part = .test

    @Option(help: "The split method (a stored split, random or scaffold); default: the one the model was trained with.")
    var splitMethod: String?

    @Option(parsing: .unconditional, help: "The seed of a random or scaffold split (not of a split stored under either name); default: the model's training seed.")
    var seed: UInt64?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case train, validation, test, all
    }

    func run() throws {
        let trained = try EfficacyModel.load(model)
        let data = try CompoundLibrary.load(library)
        let trainedOn = try trainedSplit(trained.trainingRecord, of: model)
        // The method the model recorded, as it was: a model that did not record whether its random
        // split was stored was trained on Galen's own shuffle. Another split named is the file's.
        let recorded = trainedOn.name.map { trainedOn.stored == true ? .stored($0) : SplitMethod($0) }
        let method = (splitMethod == nil || splitMethod == trainedOn.name ? recorded : splitMethod.map(data.splitMethod(named:))) ?? .random
        let rows: [Int]
        if split == .all {
            rows = Array(0..<data.count)
        } else {
            let parts = try data.split(method, seed: seed ?? trainedOn.seed ?? 0, requiringTrainingParts: false)
            rows = split == .train ? parts.train : split == .validation ? parts.validation : parts.test
        }
        guard !rows.isEmpty else { throw CommandError("the \(split.rawValue) part of split '\(method)' has no compounds in \(library)") }
        let reports = try trained.evaluate(data, rows: rows, modelPath: model)
        guard reports.contains(where: { $0.count > 0 }) else {
            throw CommandError("the \(split.rawValue) part of split '\(method)' has no measured values of the model's tasks in \(library)")
        }
        if json {
            try printJSON(["model": .init(model), "library": .init(library), "split": .init(method.description),
                           "part": .init(split.rawValue), "compounds": .init(rows.count), "tasks": .init(reports)] as [String: AnyEncodable])
        } else {
            print("\(split.rawValue) part of split \(method): \(rows.count) compounds")
            print(reportTable(reports))
        }
    }
}

extension Evaluate.Part: CustomStringConvertible {
    var description: String { rawValue }
}

/// Any encodable value, for JSON objects of mixed types.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}

/// Per-task metrics and their mean, as an aligned table.
func reportTable(_ reports: [TaskReport]) -> String {
    var rows = reports.map { report in
        [report.task, report.unit, "\(report.count)", format(report.rmse), format(report.mae), format(report.rSquared),
         format(report.pearson), format(report.spearman), format(report.rocAUC)]
    }
    if reports.count > 1 {
        func mean(_ value: (TaskReport) -> Double) -> Double { reports.map(value).reduce(0, +) / Double(reports.count) }
        rows.append(["mean", "", "\(reports.reduce(0) { $0 + $1.count })", format(mean(\.rmse)), format(mean(\.mae)),
                     format(mean(\.rSquared)), format(mean(\.pearson)), format(mean(\.spearman)), "-"])
    }
    return table(["task", "unit", "n", "RMSE", "MAE", "R²", "Pearson", "Spearman", "ROC-AUC"], rows)
}
