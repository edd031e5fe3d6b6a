import Testing
import TensorCore

@Suite("Raw ops learn")
struct LearningTests {
    @Test func twoLayerNetworkLearnsXOR() {
        var generator = RandomGenerator(seed: 5)
        let x = Tensor(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
        let y = Tensor([0, 1, 1, 0], shape: [4, 1])
        var w1 = Tensor.randomNormal([2, 8], using: &generator), b1 = Tensor.zeros([8])
        var w2 = Tensor.randomNormal([8, 1], standardDeviation: 0.5, using: &generator), b2 = Tensor.zeros([1])
        w1.requiresGrad = true
        b1.requiresGrad = true
        w2.requiresGrad = true
        b2.requiresGrad = true
        func predict() -> Tensor { ((x.matmul(w1) + b1).tanh().matmul(w2) + b2).sigmoid() }
        var loss = Float.infinity
        for _ in 0..<2000 {
            let error = predict() - y
            let mse = (error * error).mean()
            loss = mse.item
            mse.backward()
            descend(&w1, learningRate: 2)
            descend(&b1, learningRate: 2)
            descend(&w2, learningRate: 2)
            descend(&b2, learningRate: 2)
        }
        #expect(loss < 0.01, "XOR loss \(loss)")
        #expect(withoutGrad { predict() }.scalars.map { $0 > 0.5 ? Float(1) : 0 } == y.scalars)
    }

    @Test func noisyLinearRegressionReachesTheNoiseFloor() {
        var generator = RandomGenerator(seed: 6)
        let trueWeights = Tensor([1.5, -2, 0.5, 3, -1], shape: [5, 1])
        let x = Tensor.randomNormal([512, 5], using: &generator)
        let noise = Tensor.randomNormal([512, 1], standardDeviation: 0.1, using: &generator)
        let y = x.matmul(trueWeights) + 0.7 + noise
        var w = Tensor.zeros([5, 1]), b = Tensor.zeros([1])
        w.requiresGrad = true
        b.requiresGrad = true
        var loss = Float.infinity
        for _ in 0..<300 {
            let error = x.matmul(w) + b - y
            let mse = (error * error).mean()
            loss = mse.item
            mse.backward()
            descend(&w, learningRate: 0.1)
            descend(&b, learningRate: 0.1)
        }
        // The noise variance is 0.01: a fitted model can get no lower, and should get close.
        #expect(loss < 0.012, "regression loss \(loss)")
        #expect(isClose(w.scalars, trueWeights.scalars, tolerance: 0.02) && abs(b.item - 0.7) < 0.02)
    }
}
