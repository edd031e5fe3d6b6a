import Foundation

/// The memory this process may use, for refusing work that cannot fit before allocating for it:
/// Swift stops the process when an allocation fails, and a small file can declare an absurd size.
public enum MachineMemory {
    private static let physical = Double(ProcessInfo.processInfo.physicalMemory)

    /// An address-space limit (`ulimit -v`) or the memory limit of the process's own control group
    /// (a container, or a systemd service with `MemoryMax=`) below physical memory.
    private static let limit: Double? = {
        var addressSpace = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
        let resource = RLIMIT_AS
        #endif
        let limits = [
            getrlimit(resource, &addressSpace) == 0 && addressSpace.rlim_cur != rlim_t.max ? Double(addressSpace.rlim_cur) : nil,
            controlGroupLimit,
        ].compactMap { $0 }.filter { $0 < physical }
        return limits.min()
    }()

    /// The limit of the process's memory control group as /proc/self/cgroup names it: cgroup v2's
    /// `memory.max` ("max" for none) or v1's `memory.limit_in_bytes` (a huge number for none).
    private static var controlGroupLimit: Double? {
        guard let groups = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        let files = groups.split(separator: "\n").compactMap { line -> String? in
            if line.hasPrefix("0::") { return "/sys/fs/cgroup\(line.dropFirst(3))/memory.max" }
            let fields = line.split(separator: ":", maxSplits: 2)
            return fields.count == 3 && fields[1] == "memory" ? "/sys/fs/cgroup/memory\(fields[2])/memory.limit_in_bytes" : nil
        }
        return files.compactMap { file in
            (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }.min()
    }

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
