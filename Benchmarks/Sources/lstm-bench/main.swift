// LSTM training throughput: hidden 64 over length-96 sequences of 1 feature, Dense(2) head on the
// last state, batch 64, Adam.
//
//   Benchmarks/.build/release/lstm-bench [steps]
import BenchmarkTiming
import Foundation
import NeuralNet
import TensorCore

let steps = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 50
var generator = RandomGenerator(seed: 0)
let lstm = Recurrent(.lstm, inputs: 1, units: 64, generator: &generator)
let head = Dense(64, 2, generator: &generator)
let model = Sequential([("lstm", lstm as any Layer), ("head", head)])
let optimizer = Adam(learningRate: 1e-3)
let sequences = Tensor.randomNormal([64, 96, 1], using: &generator)
let labels = Tensor((0..<64).map { Float($0 % 2) })

@MainActor func step() {
    withTrainingMode {
        let states = lstm(sequences)
        Loss.categoricalCrossEntropy(head(states.slice(axis: 1, 95..<96).reshaped([64, 64])), labels).backward()
    }
    optimizer.step(model)
}

let median = medianSeconds(runs: steps) { _ in step() }
print(String(format: "lstm training = %.0f sequences/s", 64 / median))
