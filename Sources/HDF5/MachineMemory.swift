import Foundation

/// The memory this process may use, for refusing work that cannot fit before allocating for it:
/// Swift stops the process when an allocation fails, and a small file can declare an absurd size.
public enum MachineMemory {
    private static let physical = Double(ProcessInfo.processInfo.physicalMemory)

    /// An address-space limit (`ulimit -v`) or a control group's `memory.max` below physical
    /// memory, when the process runs under one.
    private static let limit: Double? = {
        var addressSpace = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
        let resource = RLIMIT_AS
        #endif
        let limits = [
            getrlimit(resource, &addressSpace) == 0 && addressSpace.rlim_cur != rlim_t.max ? Double(addressSpace.rlim_cur) : nil,
            (try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
        ].compactMap { $0 }.filter { $0 < physical }
        return limits.min()
    }()

    /// In bytes, read once (Foundation asks the kernel on every call, and a streamed encode
    /// reads two datasets a block).
    public static let bytes = limit ?? physical

    /// "X GB, more than this machine's memory (Y GB)", or than the limit the process runs under,
    /// for a refusal of `needed` bytes.
    public static func exceeded(by needed: Double) -> String {
        "\(gigabytes(needed)), more than \(limit == nil ? "this machine's memory" : "the memory limit this process runs under") (\(gigabytes(bytes)))"
    }

    private static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
}
