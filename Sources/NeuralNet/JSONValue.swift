/// A JSON value, for layer configurations and training records stored in model files.
public enum JSONValue: Codable, Equatable, Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

extension JSONValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}

/// A layer's settings as saved in a model file; reading a missing or mistyped key is an error
/// naming the layer and the key.
public struct LayerConfig: Sendable {
    public let className: String
    public var values: [String: JSONValue]

    public init(_ className: String, _ values: [String: JSONValue]) {
        self.className = className
        self.values = values
    }

    /// A whole number of either sign, up to 2⁵³ in size.
    public func int(_ key: String) throws -> Int {
        let value = try number(key)
        guard abs(value) <= 0x1p53, value.rounded() == value else { throw missing(key, "a whole number") }
        return Int(value)
    }

    /// A size or a count: a whole number from 0 to ``sizeLimit``.
    public func size(_ key: String) throws -> Int {
        let value = try number(key)
        guard (0...Double(Self.sizeLimit)).contains(value), value.rounded() == value else {
            throw missing(key, "a whole number from 0 to \(Self.sizeLimit)")
        }
        return Int(value)
    }

    /// A finite number in `range`.
    public func float(_ key: String, in range: ClosedRange<Float> = -.greatestFiniteMagnitude ... .greatestFiniteMagnitude) throws -> Float {
        let value = Float(try number(key))
        guard range.contains(value) else { throw missing(key, "a number in \(range)") }
        return value
    }

    public func number(_ key: String) throws -> Double {
        guard case .number(let value) = values[key] else { throw missing(key, "a number") }
        return value
    }

    public func string(_ key: String) throws -> String {
        guard case .string(let value) = values[key] else { throw missing(key, "a string") }
        return value
    }

    public func bool(_ key: String) throws -> Bool {
        guard case .bool(let value) = values[key] else { throw missing(key, "true or false") }
        return value
    }

    public func array(_ key: String) throws -> [JSONValue] {
        guard case .array(let value) = values[key] else { throw missing(key, "a list") }
        return value
    }

    private func missing(_ key: String, _ kind: String) -> ModelError {
        .invalidConfig("layer \(className): '\(key)' should be \(kind)")
    }
}

extension LayerConfig: Codable {
    private enum CodingKeys: String, CodingKey {
        case className = "class_name"
        case values = "config"
    }
}
