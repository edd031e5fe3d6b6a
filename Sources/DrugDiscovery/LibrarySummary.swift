import NeuralNet

/// What `galen inspect` tells about a compound library.
public struct LibrarySummary: Sendable, Codable {
    public struct Assay: Sendable, Codable {
        public let name: String
        public let unit: String?
        public let labelled: Int
        public let minimum: Float?
        public let maximum: Float?
        public let mean: Float?
    }

    public let kind: String
    public let path: String
    public let compounds: Int
    public let fingerprintBits: Int
    /// The mean fraction of fingerprint bits that are on.
    public let fingerprintDensity: Double
    public let assays: [Assay]
    public let splits: [SplitCounts]

    public init(_ library: CompoundLibrary) {
        kind = "compound library"
        path = library.path
        compounds = library.count
        fingerprintBits = library.bits
        let onBits = library.packedFingerprints.reduce(0) { $0 + $1.nonzeroBitCount }
        fingerprintDensity = Double(onBits) / Double(Swift.max(library.count * library.bits, 1))
        assays = library.assayNames.enumerated().map { column, name in
            let values = (0..<library.count).map { library.values[$0 * library.assayCount + column] }.filter { !$0.isNaN }
            return Assay(name: name, unit: library.assayUnits?[column], labelled: values.count, minimum: values.min(),
                         maximum: values.max(), mean: values.isEmpty ? nil : values.reduce(0, +) / Float(values.count))
        }
        splits = SplitCounts.of(library.splits)
    }
}
