// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: C targets -> HDF5, TensorCore -> NeuralNet -> model families -> galen.
let package = Package(
    name: "Galen",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "DrugDiscovery", targets: ["DrugDiscovery"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Sequences", targets: ["Sequences"]),
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
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]
        ),
        // glibc's allocator settings (mallopt), which Glibc's Swift module does not export.
        .systemLibrary(name: "CMalloc"),
        // Memory faults (libhdf5 on some damaged files) as one line, outputs being written removed.
        .target(name: "CFault"),
        .target(name: "HDF5", dependencies: ["CHDF5", "CFault"]),
        // Hot loops in C, compiled for AVX2 and FMA as well as portably, chosen at run time.
        .target(name: "CKernels"),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CKernels", .target(name: "CMalloc", condition: .when(platforms: [.linux]))]),
        .target(name: "NeuralNet", dependencies: ["TensorCore", "HDF5"]),
        .target(name: "DrugDiscovery", dependencies: ["NeuralNet", "HDF5", "CKernels"]),
        .target(name: "Imaging", dependencies: ["NeuralNet", "HDF5"]),
        .target(name: "Sequences", dependencies: ["NeuralNet", "HDF5"]),
        .executableTarget(
            name: "galen",
            dependencies: [
                "TensorCore", "NeuralNet", "DrugDiscovery", "Imaging", "Sequences", "HDF5",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "CHDF5", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DrugDiscoveryTests", dependencies: ["DrugDiscovery", "CKernels", "TensorCore", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "SequencesTests", dependencies: ["Sequences", "TestSupport"]),
        .testTarget(name: "GalenCLITests", dependencies: ["galen", "DrugDiscovery", "HDF5", "TestSupport"]),
    ]
)
