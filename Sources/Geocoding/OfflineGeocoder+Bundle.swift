import Foundation

extension OfflineGeocoder {
    /// The place table shipped with this module (`Resources/places.tsv`, built by
    /// `scripts/build-geodata.py` from GeoNames, CC BY 4.0). Parse it once, at start-up.
    public static func bundled() throws -> OfflineGeocoder {
        // `.process` flattens resources into the bundle's root; `.copy("Resources")` keeps the folder.
        guard let url = Bundle.module.url(forResource: "places", withExtension: "tsv")
            ?? Bundle.module.url(forResource: "places", withExtension: "tsv", subdirectory: "Resources")
        else {
            throw DataError(line: 0, reason: "places.tsv is missing from the Geocoding resource bundle")
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DataError(line: 0, reason: "cannot read \(url.path): \(error)")
        }
        return try OfflineGeocoder(tsv: text)
    }
}
