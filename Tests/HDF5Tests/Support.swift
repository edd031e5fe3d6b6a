import Foundation
import HDF5
import Testing

/// Expects `body` to throw an `HDF5Error` and returns it.
func expectHDF5Error(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) throws -> HDF5Error {
    try #require(throws: HDF5Error.self, sourceLocation: sourceLocation) { try body() }
}
