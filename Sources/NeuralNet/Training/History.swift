/// Loss and metrics per epoch, by name (`loss`, `val_loss`, ...).
public struct History: Sendable {
    public private(set) var epochs: [[String: Double]] = []

    public init() {}

    mutating func append(_ logs: [String: Double]) { epochs.append(logs) }

    /// One metric's values across epochs.
    public subscript(metric: String) -> [Double] { epochs.compactMap { $0[metric] } }
}
