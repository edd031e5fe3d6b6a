/// How many rows a stored split puts in each part (`0` train, `1` validation, `2` test).
public struct SplitCounts: Sendable, Codable, Equatable {
    public let name: String
    public let train: Int
    public let validation: Int
    public let test: Int

    /// One entry per split, in name order.
    public static func of(_ splits: [String: [Int8]]) -> [SplitCounts] {
        splits.keys.sorted().map { name in
            let codes = splits[name]!
            return SplitCounts(name: name, train: codes.filter { $0 == 0 }.count, validation: codes.filter { $0 == 1 }.count,
                               test: codes.filter { $0 == 2 }.count)
        }
    }

    public var description: String { "split \(name): \(train) train, \(validation) validation, \(test) test" }
}
