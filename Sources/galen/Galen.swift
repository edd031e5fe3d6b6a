import ArgumentParser

@main
struct Galen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "galen",
        abstract: "Deep learning for medicine and drug discovery.",
        subcommands: [Train.self, Evaluate.self, Encode.self, Predict.self, Merge.self, Inspect.self, Image.self, Sequence.self, Doctor.self])
}
