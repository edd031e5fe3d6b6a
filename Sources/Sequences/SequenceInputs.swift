import HDF5
import NeuralNet

/// What a sequence set's columns are and how they were standardised: a model trained on one set
/// takes another only if these agree, since values standardised with other statistics (a new
/// cohort's own) or features in another order are other inputs of the same shape.
public struct SequenceInputs: Sendable, Equatable {
    public let featureNames: [String]
    public let featureMean: [Float]
    public let featureStd: [Float]
    public let staticNames: [String]
    public let staticMean: [Float]
    public let staticStd: [Float]

    /// The attributes a model file keeps them in, each a list; the static ones only for a set with
    /// static descriptors.
    static let attributeNames = ["feature_names", "feature_mean", "feature_std", "static_names", "static_mean", "static_std"]

    /// As model-file attributes; none for a set of more columns than an HDF5 attribute (64 KiB)
    /// holds names of, whose model is then checked by width only.
    var attributes: [String: AttributeValue] {
        guard max(featureNames.count, staticNames.count) <= LabelledRows.maximumClasses else { return [:] }
        var attributes: [String: AttributeValue] = ["feature_names": .strings(featureNames), "feature_mean": .floats(featureMean), "feature_std": .floats(featureStd)]
        if !staticNames.isEmpty {
            attributes.merge(["static_names": .strings(staticNames), "static_mean": .floats(staticMean), "static_std": .floats(staticStd)]) { $1 }
        }
        return attributes
    }

    /// The inputs a model file records, nil when it records none (files written before they were
    /// recorded); refused when damaged or not `features` and `statics` columns wide.
    init?(attributes: [String: AttributeValue], of path: String, features: Int, statics: Int) throws {
        guard Self.attributeNames.contains(where: { attributes[$0] != nil }) else { return nil }
        func strings(_ name: String, count: Int) throws -> [String] {
            if case .strings(let values)? = attributes[name], values.count == count { return values }
            if count == 0 && attributes[name] == nil { return [] }
            throw ModelError.attribute(name, of: path, shouldBe: "\(count) strings, one per column")
        }
        func floats(_ name: String, count: Int) throws -> [Float] {
            if case .floats(let values)? = attributes[name], values.count == count { return values }
            if count == 0 && attributes[name] == nil { return [] }
            throw ModelError.attribute(name, of: path, shouldBe: "\(count) float32 values, one per column")
        }
        featureNames = try strings("feature_names", count: features)
        staticNames = try strings("static_names", count: statics)
        (featureMean, featureStd) = (try floats("feature_mean", count: features), try floats("feature_std", count: features))
        (staticMean, staticStd) = (try floats("static_mean", count: statics), try floats("static_std", count: statics))
    }

    init(featureNames: [String], featureMean: [Float], featureStd: [Float], staticNames: [String], staticMean: [Float], staticStd: [Float]) {
        (self.featureNames, self.featureMean, self.featureStd) = (featureNames, featureMean, featureStd)
        (self.staticNames, self.staticMean, self.staticStd) = (staticNames, staticMean, staticStd)
    }

    /// Why `other` (a set's) is not what these (a model's) are, or nil when they agree; statistics
    /// agree within float32 rounding of a recomputation.
    func difference(from other: SequenceInputs) -> String? {
        for (kind, names, otherNames) in [("features", featureNames, other.featureNames), ("static descriptors", staticNames, other.staticNames)]
        where names != otherNames {
            return "has \(kind) \(otherNames); the model was trained on \(names)"
        }
        func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-5 * Swift.max(abs(a), abs(b), 1) }
        let columns = [(featureNames, featureMean, featureStd, other.featureMean, other.featureStd, "feature"),
                       (staticNames, staticMean, staticStd, other.staticMean, other.staticStd, "static descriptor")]
        for (names, mean, std, otherMean, otherStd, kind) in columns {
            if let column = names.indices.first(where: { !close(mean[$0], otherMean[$0]) || !close(std[$0], otherStd[$0]) }) {
                return "its \(kind) \(names[column]) is standardised with mean \(otherMean[column]) and std \(otherStd[column]); the model's training set used \(mean[column]) and \(std[column]) (standardise new data with the training statistics)"
            }
        }
        return nil
    }
}
