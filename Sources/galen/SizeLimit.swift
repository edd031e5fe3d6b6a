import ArgumentParser

/// Upper bounds on the sizes a command takes, so that an absurd size is refused with one line up
/// front instead of failing an allocation (or building for ever) once the work has started.
enum SizeLimit {
    /// The widest layer: 65,536 units beside 2,048 inputs are already 134 million weights.
    static let width = 65_536
    static let layers = 64
    static let members = 1_000

    /// Refuses the first option whose value exceeds `limit`.
    static func check(_ options: KeyValuePairs<String, Int>, atMost limit: Int) throws {
        if let (name, value) = options.first(where: { $0.value > limit }) {
            throw ValidationError("\(name) \(value) is too large (at most \(limit))")
        }
    }
}
