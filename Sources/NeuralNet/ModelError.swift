/// Why a model could not be built, loaded or saved.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case unknownLayer(String)
    case weights(String)

    public var description: String {
        switch self {
        case .invalidConfig(let message): "invalid model configuration: \(message)"
        case .unknownLayer(let name): "unknown layer class '\(name)'"
        case .weights(let message): message
        }
    }
}
