import Foundation

/// This machine's memory, for refusing work that cannot fit before allocating for it: Swift stops
/// the process when an allocation fails, and a small file can declare an absurd size.
public enum MachineMemory {
    /// Physical memory in bytes, read once (Foundation asks the kernel on every call, and a
    /// streamed encode reads two datasets a block).
    public static let bytes = Double(ProcessInfo.processInfo.physicalMemory)

    /// "X GB, more than this machine's memory (Y GB)", for a refusal of `needed` bytes.
    public static func exceeded(by needed: Double) -> String {
        "\(gigabytes(needed)), more than this machine's memory (\(gigabytes(bytes)))"
    }

    private static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
}
