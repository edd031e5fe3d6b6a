/// Why a model could not be built, loaded or saved.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case unknownLayer(String)
    case weights(String)

    /// A root attribute of the model file at `path` that is missing or not what `name` must be.
    public static func attribute(_ name: String, of path: String, shouldBe expected: String) -> ModelError {
        .weights("\(path): attribute \(name) should be \(expected)")
    }

    public var description: String {
        switch self {
        case .invalidConfig(let message): "invalid model configuration: \(message)"
        case .unknownLayer(let name): "unknown layer class '\(name)'"
        case .weights(let message): message
        }
    }
}
