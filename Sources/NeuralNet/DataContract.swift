import HDF5

/// Why `file`'s root attribute `galen_contract` does not name `contract` ("name/major", e.g.
/// "sequence-set/1") or a minor version of it; nil when it does. Readers refuse the major versions
/// they do not know (datasets/README.md, 2.1).
public func contractProblem(of file: HDF5File, expecting contract: String) throws -> String? {
    guard try file.attributes.contains("galen_contract") else { return "root attribute galen_contract is missing" }
    guard case .string(let found) = try file.attributes.get("galen_contract") else { return "root attribute galen_contract is not a string" }
    let (name, version) = (found.split(separator: "/").first, found.split(separator: "/").dropFirst().first)
    let expected = contract.split(separator: "/")
    guard name == expected.first, version?.split(separator: ".").first == expected.last else {
        return "root attribute galen_contract is '\(found)', not \(contract)"
    }
    return nil
}

/// What is wrong with `file`'s provenance, the root attributes every data file must have: `producer`
/// (what wrote it) and `created` (when), both strings (datasets/README.md, 2.1). Readers take a file
/// without them; `galen inspect` reports it.
public func provenanceProblems(of file: HDF5File) throws -> [String] {
    try ["producer", "created"].compactMap { name in
        guard try file.attributes.contains(name) else { return "root attribute \(name) is missing" }
        guard case .string(let text) = try file.attributes.get(name), !text.isEmpty else { return "root attribute \(name) should be a non-empty string" }
        return nil
    }
}
