import Foundation
import HDF5
import Testing

/// Runs `body` with a fresh file path, removed afterwards: tests run in parallel and must not share files.
func withTemporaryFile<R>(_ body: (String) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("galen-hdf5-tests")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("\(UUID().uuidString).h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Expects `body` to throw an `HDF5Error` and returns it.
func expectHDF5Error(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) throws -> HDF5Error {
    try #require(throws: HDF5Error.self, sourceLocation: sourceLocation) { try body() }
}

struct ToolRun {
    let status: Int32
    let output: String
    let errors: String
}

/// Runs a command found on PATH, such as python3 or h5dump; a missing command fails the test.
func runTool(_ arguments: [String]) throws -> ToolRun {
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
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorsURL)
    try process.run()
    process.waitUntilExit()
    let run = ToolRun(
        status: process.terminationStatus,
        output: try String(contentsOf: outputURL, encoding: .utf8),
        errors: try String(contentsOf: errorsURL, encoding: .utf8))
    // env exits with 127 when it cannot find the command.
    try #require(run.status != 127, "\(arguments[0]) is not installed or not on PATH: \(run.errors)")
    return run
}
