// The founding CNN: training images/s on 1×64×64 inputs (batch 32, Adam) and forward-only
// images/s on 3×224×224 (batch 8).
//
//   Benchmarks/.build/release/cnn-bench [steps]
import BenchmarkTiming
import Foundation
import Imaging
import NeuralNet
import TensorCore

let steps = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 20

var generator = RandomGenerator(seed: 0)
let small = ImageArchitecture.cnn.build(inputShape: [1, 64, 64], classes: 2, generator: &generator)
let optimizer = Adam(learningRate: 1e-3)
let images = Tensor.randomNormal([32, 1, 64, 64], using: &generator)
let labels = Tensor((0..<32).map { Float($0 % 2) })
let trainStep = medianSeconds(runs: steps) { _ in
    withTrainingMode { Loss.categoricalCrossEntropy(small(images), labels).backward() }
    optimizer.step(small)
}
let large = ImageArchitecture.cnn.build(inputShape: [3, 224, 224], classes: 2, generator: &generator)
let photos = Tensor.randomNormal([8, 3, 224, 224], using: &generator)
let forward = medianSeconds(runs: Swift.max(3, steps / 4)) { _ in _ = withoutGrad { large(photos) } }
print(String(format: "cnn training 1x64x64 = %.0f images/s", 32 / trainStep))
print(String(format: "cnn forward 3x224x224 = %.1f images/s", 8 / forward))
