import Foundation
import Testing
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

/// A copy of the HDF5 file `source` at `target`, changed by the Python lines `edit`, which run with
/// the copy open for writing as `f` (h5py) and `json`, `np` (numpy) and `sys` imported;
/// `sys.argv[3...]` are `arguments`.
func copyEdited(_ source: String, to target: String, _ edit: String, arguments: [String] = []) throws {
    let body = edit.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n")
    let run = try runTool(["python3", "-c", """
        import h5py, json, numpy as np, shutil, sys
        shutil.copy(sys.argv[1], sys.argv[2])
        with h5py.File(sys.argv[2], "r+") as f:
        \(body)
        """, source, target] + arguments)
    try #require(run.status == 0, "\(run.errors)")
}
