import Foundation
import NIOHTTP1
import Yams

/// The operations of the served `openapi.yaml`: method, path, tags, and whether the contract
/// declares them public (`security: []`).
struct Contract {
    struct Operation {
        var method: String
        var path: String
        var tags: [String]
        var isPublic: Bool
        var hasBody: Bool
        var id: String
    }
    var operations: [Operation]
    var takesURLs: [String]

    static func load(_ http: ProbeHTTP) async throws -> Contract {
        let r = try await http.send(.GET, "/openapi.yaml")
        guard r.status == 200, let root = try Yams.load(yaml: r.body) as? [String: Any], let paths = root["paths"] as? [String: Any] else {
            throw ProbeError("the target does not serve /openapi.yaml (\(r.status))")
        }
        var operations: [Operation] = []
        for (path, value) in paths {
            guard let item = value as? [String: Any] else { continue }
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let op = item[method] as? [String: Any] else { continue }
                let security = op["security"] as? [Any]
                operations.append(Operation(method: method.uppercased(), path: path, tags: op["tags"] as? [String] ?? [],
                                            isPublic: security?.isEmpty ?? false, hasBody: op["requestBody"] != nil,
                                            id: op["operationId"] as? String ?? "\(method) \(path)"))
            }
        }
        // Request properties that carry a URL the server might fetch (SSRF surface): walk the
        // schemas of every request body and parameter.
        let schemas = ((root["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
        var found: [String] = [], visited: Set<String> = []
        func walk(_ node: Any?, _ at: String) {
            if let list = node as? [Any] { list.forEach { walk($0, at) }; return }
            guard let dict = node as? [String: Any] else { return }
            if let ref = dict["$ref"] as? String, let name = ref.split(separator: "/").last.map(String.init) {
                if visited.insert(name).inserted { walk(schemas[name], name) }
                return
            }
            if let format = dict["format"] as? String, ["uri", "url", "iri"].contains(format) { found.append(at) }
            for (key, value) in dict where key != "example" && key != "examples" { walk(value, key == "properties" ? at : "\(at).\(key)") }
        }
        for (path, value) in paths {
            for (method, op) in (value as? [String: Any]) ?? [:] {
                guard let op = op as? [String: Any] else { continue }
                walk(op["requestBody"], "\(method.uppercased()) \(path)")
                walk(op["parameters"], "\(method.uppercased()) \(path)")
            }
        }
        return Contract(operations: operations.sorted { ($0.path, $0.method) < ($1.path, $1.method) }, takesURLs: found.sorted())
    }

    /// The path with every parameter replaced by a random UUID.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: #"\{[^}]+\}"#, with: UUID().uuidString.lowercased(), options: .regularExpression)
    }
}
