/// Stops the program with `message` when `condition` is false, in every build configuration.
///
/// Misuse of a tensor (shapes that do not match, an axis out of range) is a programming error,
/// so it traps rather than throws; but unlike `precondition`, whose message optimised builds
/// drop, this always says which shapes or axes were involved.
@inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
