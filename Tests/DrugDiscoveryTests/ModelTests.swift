import DrugDiscovery
import NeuralNet
import Testing
import TensorCore

@Suite("Drug-discovery layers")
struct ModelTests {
    @Test func sparseDenseMatchesDenseOutputsAndWeightGradients() {
        var generator = RandomGenerator(seed: 1)
        let sparse = SparseDense(64, 8, generator: &generator)
        let dense = Dense(64, 8, generator: &generator)
        dense.kernel.value = sparse.dense.kernel.value.detached
        dense.kernel.value.requiresGrad = true
        let bits = Tensor.randomBernoulli([10, 64], probability: 0.05, using: &generator)
        let upstream = Tensor.randomNormal([10, 8], using: &generator)
        let (a, b) = (sparse(bits), dense(bits))
        #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        (a * upstream).sum().backward()
        (b * upstream).sum().backward()
        #expect(zip(sparse.dense.kernel.value.grad!.scalars, dense.kernel.value.grad!.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(sparse.dense.bias!.value.grad!.scalars, dense.bias!.value.grad!.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test(arguments: [(FingerprintNoise.Kind.flip, Float(0.05)), (.mask, 0.3)])
    func noiseRatesMatchTheirParameter(_ kind: FingerprintNoise.Kind, _ level: Float) {
        var generator = RandomGenerator(seed: 2)
        let bits = Tensor.randomBernoulli([200, 512], probability: 0.1, using: &generator)
        let noise = FingerprintNoise(kind, level: level)
        #expect(noise(bits).scalars == bits.scalars, "no noise in evaluation")
        let noisy = withTrainingMode { noise(bits) }
        let changed = zip(bits.scalars, noisy.scalars).filter { $0 != $1 }
        switch kind {
        case .flip:
            #expect(abs(Double(changed.count) / Double(bits.count) - Double(level)) < 0.005)
        case .mask:
            let onBits = bits.scalars.filter { $0 == 1 }.count
            #expect(changed.allSatisfy { $0.0 == 1 && $0.1 == 0 }, "masking only switches on-bits off")
            #expect(abs(Double(changed.count) / Double(onBits) - Double(level)) < 0.02)
        case .gaussian:
            break
        }
    }

    @Test func autoencoderConfigRoundTripsThroughTheRegistry() throws {
        var generator = RandomGenerator(seed: 3)
        let settings = AutoencoderSettings(inputBits: 32, encoderWidths: [16, 4], decoderWidths: [16], headWidths: [8], tasks: 3,
                                           dropout: 0.1, batchNorm: true, noise: .mask, noiseLevel: 0.2)
        let model = DenoisingAutoencoder(settings, generator: &generator)
        let rebuilt = try LayerRegistry.drugDiscovery.build(model.config) as! DenoisingAutoencoder
        #expect(rebuilt.settings == settings)
        #expect(rebuilt.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        #expect(model.encoder.layers.first?.layer is SparseDense)
    }

    @Test func streamedOnBitsGiveTheSameCodesAsUnpackedFingerprints() throws {
        var generator = RandomGenerator(seed: 4)
        let settings = AutoencoderSettings(inputBits: 2048, encoderWidths: [100, 12], decoderWidths: [16], headWidths: [8], tasks: 1)
        let model = DenoisingAutoencoder(settings, generator: &generator)
        let block = try LibraryStream(path: smallTarget).read(0..<300)
        let library = try CompoundLibrary.load(smallTarget)
        let unpacked = withoutGrad { model.encode(library.fingerprints(Array(0..<300))) }
        #expect(model.binaryEncoder()(block.onBits(bits: 2048)).scalars == unpacked.scalars)
    }
}
