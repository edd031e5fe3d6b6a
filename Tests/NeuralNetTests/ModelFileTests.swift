import Foundation
import HDF5
import NeuralNet
import Testing
import TensorCore
import TestSupport

@Suite("Model files")
struct ModelFileTests {
    func model(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        let encoder = Sequential([("dense1", Dense(6, 5, generator: &generator) as any Layer), ("act", Activation(.gelu)),
                                  ("norm", BatchNorm(5))])
        return Sequential([("encoder", encoder as any Layer), ("head", Dense(5, 2, generator: &generator))])
    }

    static let script = TestSupport.repository.appendingPathComponent("Tests/NeuralNetTests/Fixtures/read_model.py").path

    @Test func h5pyReadsEveryWeightByNameAndLoadingGivesIdenticalPredictions() throws {
        let original = model(seed: 1)
        let inputs = sample([7, 6], seed: 2)
        _ = withTrainingMode { original(inputs) }  // moves the running statistics off their defaults
        try withTemporaryFile { path in
            try ModelFile.save(original, to: path, attributes: ["task_names": .strings(["a", "b"])])
            let run = try runTool(["python3", Self.script, path])
            #expect(run.status == 0, "h5py failed: \(run.errors)")
            let read = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [String: Any]
            #expect(read["class_name"] as? String == "Sequential" && read["backend"] as? String == "galen")
            let weights = read["weights"] as! [String: [String: Any]]
            #expect(weights.count == original.namedParameters.count)
            for (name, parameter) in original.namedParameters {
                let cut = name.lastIndex(of: ".")!
                let key = "\(name[..<cut])/\(name[name.index(after: cut)...]):0"
                let entry = try #require(weights[key], "h5py did not find \(key)")
                #expect(entry["shape"] as? [Int] == parameter.value.shape)
                #expect((entry["values"] as? [Double])?.map(Float.init) == parameter.value.scalars)
            }
            let loaded = try ModelFile.load(path)
            #expect(loaded.attributes["task_names"] == .strings(["a", "b"]))
            #expect(loaded.model.predict(inputs).scalars == original.predict(inputs).scalars)
        }
    }

    @Test func missingExtraAndMisshapenWeightsAreNamed() throws {
        try withTemporaryFile { path in
            try ModelFile.save(model(seed: 3), to: path)
            var generator = RandomGenerator(seed: 4)
            let wider = Sequential([("encoder", Sequential([("dense1", Dense(6, 7, generator: &generator) as any Layer)]) as any Layer)])
            #expect(throws: ModelError.weights("\(path): layer 'encoder.norm' in the file is not in the model")) {
                try ModelFile.loadWeights(into: wider, from: path)
            }
            let misshapen = model(seed: 5)
            (misshapen.layers[1].layer as! Dense).kernel.value = Tensor.zeros([5, 3])
            #expect(throws: ModelError.weights("\(path): weight 'head/kernel:0' has shape [5, 2], the model needs [5, 3]")) {
                try ModelFile.loadWeights(into: misshapen, from: path)
            }
            let bigger = Sequential([("encoder", model(seed: 6).layers[0].layer), ("head", Dense(5, 2, generator: &generator)),
                                     ("extra", Dense(2, 2, generator: &generator))])
            #expect(throws: ModelError.weights("\(path): the model's layer 'extra' is missing from the file")) {
                try ModelFile.loadWeights(into: bigger, from: path)
            }
        }
    }

    @Test func resumingFromAFileRepeatsAStraightRunBitForBit() throws {
        let heartbeats = try ucr("ecg200/ECG200_TRAIN.txt")
        let batches = TensorBatches(inputs: heartbeats.series, targets: heartbeats.labels, batchSize: 16, seed: 7)
        func classifier(_ seed: UInt64) -> Sequential {
            var generator = RandomGenerator(seed: seed)
            return Sequential([("hidden", Dense(96, 16, generator: &generator) as any Layer), ("drop", Dropout(rate: 0.3)),
                               ("act", Activation(.relu)), ("output", Dense(16, 1, generator: &generator))])
        }
        func train(_ model: any Layer, _ trainer: Trainer, to epochs: Int) {
            trainer.fit(epochs: epochs, training: batches) { Loss.binaryCrossEntropy(model($0.inputs), $0.targets) }
        }
        let straight = classifier(7)
        train(straight, Trainer(model: straight, optimizer: AdamW(learningRate: 1e-3, weightDecay: 0.01), seed: 7), to: 8)

        try withTemporaryFile { path in
            let first = classifier(7)
            let firstTrainer = Trainer(model: first, optimizer: AdamW(learningRate: 1e-3, weightDecay: 0.01), seed: 7)
            train(first, firstTrainer, to: 4)
            try ModelFile.save(first, to: path, optimizer: firstTrainer.optimizer, completedEpochs: firstTrainer.completedEpochs)

            let saved = try ModelFile.load(path)
            let optimizer = AdamW(learningRate: 0, weightDecay: 0.01)
            let state = try #require(try ModelFile.loadOptimizer(path))
            try state.restore(into: optimizer)
            let resumed = Trainer(model: saved.model, optimizer: optimizer, seed: 7)
            resumed.completedEpochs = state.completedEpochs
            train(saved.model, resumed, to: 8)
            for ((name, a), (_, b)) in zip(straight.namedParameters, saved.model.namedParameters) {
                #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), "\(name) differs after resuming")
            }
            #expect(throws: ModelError.weights("the file holds AdamW state, not SGD")) { try state.restore(into: SGD(learningRate: 1)) }

            // A slot declared larger than memory (stored unwritten, so the file stays small) is
            // refused when resuming, and loading the model for scoring never reads it.
            let file = try HDF5File.open(path, mode: .readWrite)
            let slots = try file.group("optimizer_weights")
            _ = try slots.createDataset("AdamW/huge:0", elementType: .float32, shape: [1 << 40], chunks: [1 << 16])
            guard case .strings(let names) = try slots.attributes.get("weight_names") else { Issue.record("no weight_names"); return }
            try slots.attributes.set("weight_names", .strings(names + ["AdamW/huge:0"]))
            try file.close()
            #expect(try ModelFile.load(path).model.namedParameters.count == saved.model.namedParameters.count)
            #expect(throws: ModelError.weights("\(path): its optimizer state needs \(MachineMemory.exceeded(by: Double(state.slots.reduce(0) { $0 + $1.value.count } + (1 << 40)) * 4))")) {
                try ModelFile.loadOptimizer(path)
            }
        }
    }

    @Test func writesAreAtomic() throws {
        try withTemporaryFile { path in
            try ModelFile.save(model(seed: 8), to: path)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            struct Interrupted: Error {}
            #expect(throws: Interrupted.self) {
                try HDF5File.createAtomically(path) { file in
                    _ = try file.createGroup("half")
                    throw Interrupted()
                }
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the earlier file is untouched")
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { $0.contains(URL(fileURLWithPath: path).lastPathComponent + ".partial") }
            #expect(leftovers.isEmpty, "no partial file is left behind: \(leftovers)")
        }
    }

    /// Configurations a damaged file could hold that the layers' own initialisers would stop on
    /// (duplicate, empty or slashed layer names, an ensemble of none) are refused instead.
    @Test func configurationsTheInitialisersWouldStopOnAreRefused() throws {
        let dense: JSONValue = ["class_name": "Dense", "config": ["inputs": 2, "units": 2, "use_bias": true, "initializer": "glorot_uniform"]]
        for names in [["a", "a"], [""], ["a/b"]] {
            let config = LayerConfig("Sequential", ["layers": .array(names.map { ["name": .string($0), "layer": dense] })])
            #expect(throws: ModelError.invalidConfig("layer Sequential: layer names \(names) must be unique, non-empty and free of '.' and '/'")) {
                try LayerRegistry.standard.build(config)
            }
        }
        #expect(throws: ModelError.invalidConfig("layer Ensemble: needs at least one member")) {
            try LayerRegistry.standard.build(LayerConfig("Ensemble", ["members": []]))
        }
    }
}
