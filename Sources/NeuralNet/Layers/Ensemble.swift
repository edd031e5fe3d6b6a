import TensorCore

/// Several models of one architecture trained apart (different seeds); their outputs averaged.
public final class Ensemble: Layer {
    public static let className = "Ensemble"
    public let members: [any Layer]

    public init(_ members: [any Layer]) {
        require(!members.isEmpty, "Ensemble: needs at least one member")
        self.members = members
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        let entries = try config.array("members")
        guard !entries.isEmpty else { throw ModelError.invalidConfig("layer Ensemble: needs at least one member") }
        self.init(try entries.map { entry in
            guard case .object(let object) = entry, case .string(let className)? = object["class_name"],
                  case .object(let values)? = object["config"]
            else { throw ModelError.invalidConfig("layer Ensemble: each member needs a class_name and a config") }
            return try registry.build(LayerConfig(className, values))
        })
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, ["members": .array(members.map { member in
            let saved = member.config
            return ["class_name": .string(saved.className), "config": .object(saved.values)]
        })])
    }

    public var sublayers: [(name: String, layer: any Layer)] {
        members.enumerated().map { ("member\($0.offset + 1)", $0.element) }
    }

    /// The mean of the members' outputs.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        Self.mean(members.map { $0(input) })
    }

    /// The seeds of an ensemble's members: the first is `seed` itself (so a one-member ensemble
    /// trains exactly as a single model), the rest are derived from it.
    public static func memberSeeds(_ seed: UInt64, count: Int) -> [UInt64] {
        (0..<count).map { $0 == 0 ? seed : mixSeed(seed, UInt64($0)) }
    }

    /// What a model file holds for `members`: the one network itself, or an ensemble of them.
    public static func layer(of members: [any Layer]) -> any Layer {
        members.count == 1 ? members[0] : Ensemble(members)
    }

    /// The members a model file's layer holds: an ensemble's, or the layer alone.
    public static func members(of layer: any Layer) -> [any Layer] {
        (layer as? Ensemble)?.members ?? [layer]
    }

    /// The elementwise mean of equally shaped outputs (members' logits, probabilities or predictions).
    public static func mean(_ outputs: [Tensor]) -> Tensor {
        outputs.dropFirst().reduce(outputs[0], +) / Float(outputs.count)
    }
}
