import NeuralNet
import Testing
import TensorCore
import TestSupport

/// The README's "Using Galen as a Swift package" example, as written there, on ECG200.
@Suite("README example")
struct ReadmeExampleTests {
    @Test func libraryExampleCompilesTrainsAndSaves() throws {
        let (x, y) = try ucr("ecg200/ECG200_TRAIN.txt")
        var generator = RandomGenerator(seed: 0)
        let model = Sequential([Dense(96, 32, initializer: .heNormal, generator: &generator), Activation(.relu),
                                Dense(32, 1, generator: &generator)])
        let trainer = Trainer(model: model, optimizer: AdamW(learningRate: 1e-3), callbacks: [ProgressDisplay(isTerminal: false) { _ in }])
        trainer.fit(epochs: 50, training: TensorBatches(inputs: x, targets: y, batchSize: 32)) {
            Loss.binaryCrossEntropy(model($0.inputs), $0.targets)
        }
        try withTemporaryFile { path in
            try ModelFile.save(model, to: path)
            #expect(try ModelFile.load(path).model.predict(x).scalars == model.predict(x).scalars)
        }
        #expect(trainer.history["loss"].last! < trainer.history["loss"].first!)
    }
}
