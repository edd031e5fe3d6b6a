// Denoising-autoencoder training throughput: encoder 2048-1024-256, decoder 256-1024-2048,
// head 256-64-1, batch 256, Adam, joint reconstruction + regression loss.
//
//   Benchmarks/.build/release/dae-bench [steps]
import BenchmarkTiming
import DrugDiscovery
import Foundation
import NeuralNet
import TensorCore

let steps = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 40
let batchSize = 256, bits = 2048
var generator = RandomGenerator(seed: 0)
let settings = AutoencoderSettings(inputBits: bits, encoderWidths: [1024, 256], decoderWidths: [1024], headWidths: [64],
                                   tasks: 1, dropout: 0, noise: .flip, noiseLevel: 0.01)
let model = DenoisingAutoencoder(settings, generator: &generator)
let optimizer = Adam(learningRate: 1e-3)
// Fingerprints at 3 % density, the middle of real Morgan fingerprints' 2–5 %.
let batches = (0..<8).map { _ in
    Batch(inputs: Tensor.randomBernoulli([batchSize, bits], probability: 0.03, using: &generator),
          targets: Tensor.randomNormal([batchSize, 1], using: &generator))
}

@MainActor func step(_ batch: Batch) {
    withTrainingMode {
        let (_, reconstruction, prediction) = model.forward(batch.inputs)
        let loss = Loss.binaryCrossEntropy(reconstruction, batch.inputs) + Loss.meanSquaredError(prediction, batch.targets)
        loss.backward()
    }
    optimizer.step(model)
}

let median = medianSeconds(runs: steps, warmUp: 3) { step(batches[$0 % batches.count]) }
print("BLAS: \(BLAS.configuration)")
print(String(format: "median step %.1f ms over %d steps", median * 1000, steps))
print(String(format: "dae training = %.0f samples/s", Double(batchSize) / median))
