// swift-tools-version:6.0
import PackageDescription

// Benchmarks live in their own package so that the main package's build and tests stay lean,
// and so that they use Galen exactly as a downstream package would.
let package = Package(
    name: "GalenBenchmarks",
    dependencies: [.package(name: "Galen", path: "..")],
    targets: [
        .target(name: "BenchmarkTiming"),
        .executableTarget(
            name: "tensorcore-bench",
            dependencies: ["BenchmarkTiming", .product(name: "TensorCore", package: "Galen")]),
        .executableTarget(
            name: "dae-bench",
            dependencies: ["BenchmarkTiming", .product(name: "DrugDiscovery", package: "Galen"), .product(name: "NeuralNet", package: "Galen")]),
        .executableTarget(name: "hdf5-bench", dependencies: [.product(name: "HDF5", package: "Galen")]),
        .executableTarget(
            name: "cnn-bench",
            dependencies: ["BenchmarkTiming", .product(name: "Imaging", package: "Galen"), .product(name: "NeuralNet", package: "Galen")]),
        .executableTarget(name: "lstm-bench", dependencies: ["BenchmarkTiming", .product(name: "NeuralNet", package: "Galen")]),
    ]
)
