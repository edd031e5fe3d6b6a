import Foundation
import TestSupport

/// Runs the built `galen` with `arguments`.
func galen(_ arguments: String...) throws -> ToolRun {
    try runTool([TestSupport.galen] + arguments)
}

let smallTarget = TestSupport.preparedData.appendingPathComponent("moleculeace/CHEMBL2835_Ki.h5").path

/// A temporary folder for one test's files, removed afterwards.
func withTemporaryFolder<R>(_ body: (URL) throws -> R) throws -> R {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("galen-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}
