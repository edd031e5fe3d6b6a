import NeuralNet
import Testing
import TensorCore

/// A layer holding one vector, so optimizers can minimise f(w) = Σ scale·(w - target)².
final class Quadratic: Layer {
    static let className = "Quadratic"
    let weights = Parameter(Tensor([3, -2, 0.5, 4]))
    init() {}
    init(config: LayerConfig, registry: LayerRegistry) {}
    var config: LayerConfig { LayerConfig(Self.className, [:]) }
    var parameters: [(name: String, parameter: Parameter)] { [("w", weights)] }
    func callAsFunction(_ input: Tensor) -> Tensor {
        let difference = weights.value - Tensor([1, 2, -1, 0])
        return (difference * difference * Tensor([1, 4, 0.5, 2])).sum()
    }
}

@Suite("Optimizers")
struct OptimizerTests {
    static let optimizers: [(String, @Sendable () -> Optimizer, Int)] = [
        ("SGD", { SGD(learningRate: 0.05) }, 300),
        ("SGD momentum", { SGD(learningRate: 0.02, momentum: 0.9) }, 300),
        ("SGD Nesterov", { SGD(learningRate: 0.02, momentum: 0.9, nesterov: true) }, 300),
        ("Adam", { Adam(learningRate: 0.1) }, 500),
        ("AdamW", { AdamW(learningRate: 0.1, weightDecay: 1e-4) }, 500),
    ]

    @Test(arguments: optimizers.indices)
    func minimisesAQuadraticWithAKnownMinimum(_ index: Int) {
        let (name, make, steps) = Self.optimizers[index]
        let model = Quadratic(), optimizer = make()
        for _ in 0..<steps {
            model(Tensor(0)).backward()
            optimizer.step(model)
        }
        let found = model.weights.value.scalars
        #expect(zip(found, [1, 2, -1, 0]).allSatisfy { abs($0 - $1) < 0.02 }, "\(name) ended at \(found)")
    }

    @Test func adamWDecaysWeightsOutsideTheMoments() {
        let plain = Quadratic(), decayed = Quadratic()
        let adam = Adam(learningRate: 0.01), adamW = AdamW(learningRate: 0.01, weightDecay: 0.5)
        plain(Tensor(0)).backward()
        adam.step(plain)
        decayed(Tensor(0)).backward()
        adamW.step(decayed)
        let shrink: Float = 1 - 0.01 * 0.5
        // Adam's first step moves every weight by exactly the learning rate; AdamW also shrinks it first.
        for (start, (a, w)) in zip([Float(3), -2, 0.5, 4], zip(plain.weights.value.scalars, decayed.weights.value.scalars)) {
            #expect(abs(abs(a - start) - 0.01) < 1e-5)
            #expect(abs(w - (start * shrink + (a - start))) < 1e-5)
        }
    }

    @Test func clippingScalesTheGlobalNorm() {
        let model = Quadratic()
        model(Tensor(0)).backward()
        let norm = clipGradients(of: model, maxNorm: 1)
        #expect(norm > 1)
        let clipped = model.weights.value.grad!.scalars
        #expect(abs(clipped.reduce(0) { $0 + $1 * $1 }.squareRoot() - 1) < 1e-5)
    }

    @Test func schedules() {
        #expect(LearningRateSchedule.step(initial: 1, factor: 0.5, every: 2).learningRate(epoch: 5) == 0.25)
        let cosine = LearningRateSchedule.cosine(initial: 1, minimum: 0.1, epochs: 10)
        #expect(cosine.learningRate(epoch: 0) == 1 && abs(cosine.learningRate(epoch: 5) - 0.55) < 1e-6)
        #expect(abs(cosine.learningRate(epoch: 10) - 0.1) < 1e-6)
        let warm = LearningRateSchedule.warmUp(epochs: 3, then: .constant(0.8))
        #expect([0, 1, 2, 3].map { warm.learningRate(epoch: $0) } == [0.2, 0.4, 0.6, 0.8])
    }
}
