// SVG rendering. No inline styles (the site's Content-Security-Policy forbids
// them) and no width/height: the page's stylesheet sizes `svg.qr`.

extension QRCode {
    /// An SVG image of the symbol with a `quietZone` of light modules on
    /// every side (the standard asks for 4). One unit is one module.
    ///
    /// `title` is the accessible name; it is escaped here.
    public func svg(title: String, quietZone: Int = 4) -> String {
        let border = max(0, quietZone)
        let side = size + 2 * border
        let id = "qr-\(fingerprint)"
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < size, isDark(x: x, y: y) { x += 1 }
                path += "M\(start + border),\(y + border)h\(x - start)v1h-\(x - start)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 \(side) \(side)" \
            role="img" aria-labelledby="\(id)">\
            <title id="\(id)">\(SVGText.escape(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path d="\(path)" fill="#000" shape-rendering="crispEdges"/>\
            </svg>
            """
    }

    /// Eight hex digits (FNV-1a of the modules) so that two different
    /// symbols on one page get different element ids.
    var fingerprint: String {
        var hash: UInt32 = 0x811C_9DC5
        for (index, dark) in modules.enumerated() where dark {
            for byte in [UInt8(truncatingIfNeeded: index), UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index >> 16)] {
                hash = (hash ^ UInt32(byte)) &* 0x0100_0193
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
