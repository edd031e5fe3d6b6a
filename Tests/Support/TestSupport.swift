import Foundation

/// Helpers shared by the test targets: temporary files, external tools, the public datasets.
public enum TestSupport {
    /// The repository's root folder.
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The public datasets in `shared/data` beside the checkout. CI has them; a test that needs a
    /// missing file fails rather than skips.
    public static let sharedData = repository.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The `galen` executable built beside the test bundle.
    public static let galen = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("galen").path

    /// The prepared compound libraries (made by `.ci/setup` through `datasets/prepare.py`).
    public static let preparedData = repository.appendingPathComponent("datasets/prepared")
}

/// Runs `body` with a fresh file path, removed afterwards: tests run in parallel and must not share files.
public func withTemporaryFile<R>(suffix: String = ".h5", _ body: (String) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("galen-tests")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("\(UUID().uuidString)\(suffix)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

public struct ToolRun: Sendable {
    public let status: Int32
    public let output: String
    public let errors: String
}

public struct MissingTool: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a command found on PATH, such as python3 or h5dump; a missing command is an error, so
/// the test fails instead of passing without having checked anything.
public func runTool(_ arguments: [String], environment: [String: String]? = nil) throws -> ToolRun {
    let directory = FileManager.default.temporaryDirectory
    let outputURL = directory.appendingPathComponent("tool-\(UUID().uuidString).out")
    let errorsURL = directory.appendingPathComponent("tool-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorsURL)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorsURL)
    try process.run()
    process.waitUntilExit()
    let run = ToolRun(
        status: process.terminationStatus,
        output: try String(contentsOf: outputURL, encoding: .utf8),
        errors: try String(contentsOf: errorsURL, encoding: .utf8))
    // env exits with 127 when it cannot find the command.
    if run.status == 127 { throw MissingTool(description: "\(arguments[0]) is not installed or not on PATH: \(run.errors)") }
    return run
}
