import Crypto
import Foundation
import Mustache

/// The templates and static files of the web interface, read once at start from the App
/// target's resources. Static files are served under content-hashed names
/// (`/static/app.3f9c1a2b.css`), so browsers may cache them for a year.
struct WebAssets: Sendable {
    struct File: Sendable {
        var path: String
        var contentType: String
        var bytes: [UInt8]
    }

    let library: MustacheLibrary
    /// Hashed path by file name (`app.css` → `/static/app.3f9c1a2b.css`).
    let paths: [String: String]
    /// Files by hashed path.
    let files: [String: File]

    static let contentTypes = [
        "css": "text/css; charset=utf-8", "svg": "image/svg+xml; charset=utf-8", "ico": "image/x-icon", "png": "image/png",
    ]

    /// Loads everything from `Bundle.module`; a missing or malformed template stops the start.
    static func bundled() throws -> WebAssets {
        guard let root = Bundle.module.resourceURL else { throw WebAssetsError.missing("resources") }
        return try WebAssets(root: root)
    }

    init(root: URL) throws {
        let templates = root.appendingPathComponent("templates").path
        guard FileManager.default.fileExists(atPath: templates) else { throw WebAssetsError.missing("templates") }
        library = try MustacheLibrary.load(directory: templates)
        var paths: [String: String] = [:], files: [String: File] = [:]
        let folder = root.appendingPathComponent("static")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let ext = (name as NSString).pathExtension
            guard let type = Self.contentTypes[ext] else { continue }
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            let digest = SHA256.hash(data: bytes).prefix(6).map { String(format: "%02x", $0) }.joined()
            let path = "/static/\((name as NSString).deletingPathExtension).\(digest).\(ext)"
            paths[name] = path
            files[path] = File(path: path, contentType: type, bytes: bytes)
        }
        for required in ["app.css", "favicon.svg", "favicon.ico"] where paths[required] == nil {
            throw WebAssetsError.missing(required)
        }
        self.paths = paths
        self.files = files
    }

    /// The values templates use to link assets: `{{assets.css}}`, `{{assets.favicon}}`.
    var links: [String: String] {
        ["css": paths["app.css"] ?? "", "favicon": paths["favicon.svg"] ?? ""]
    }
}

enum WebAssetsError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self { case .missing(let what): "web resource missing: \(what)" }
    }
}

extension MustacheLibrary {
    /// Every `.mustache` file under `directory`, named by its path without the extension
    /// (`staff/sales`). Synchronous: it runs once, before the server starts.
    static func load(directory: String) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        guard let walker = FileManager.default.enumerator(atPath: directory) else { throw WebAssetsError.missing("templates") }
        for case let path as String in walker where path.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: directory + "/" + path, encoding: .utf8)
            try library.register(text, named: String(path.dropLast(".mustache".count)))
        }
        return library
    }
}
