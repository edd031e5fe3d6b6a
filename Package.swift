// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: C targets -> HDF5, TensorCore -> NeuralNet -> model families -> galen.
let package = Package(
    name: "Galen",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .executable(name: "galen", targets: ["galen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "TensorCore", dependencies: ["CBLAS"]),
        .target(name: "NeuralNet", dependencies: ["TensorCore"]),
        .executableTarget(
            name: "galen",
            dependencies: [
                "TensorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
    ]
)
