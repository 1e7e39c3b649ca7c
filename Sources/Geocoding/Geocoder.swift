/// What a customer or installer typed: a city and/or a postal code, in a country.
public struct GeocodeQuery: Sendable {
    public var city: String
    public var postalCode: String
    /// ISO 3166-1 alpha-2 code ("ES", "PT"); required.
    public var country: String

    public init(city: String = "", postalCode: String = "", country: String) {
        self.city = city
        self.postalCode = postalCode
        self.country = country
    }
}

/// Where a query was placed, and how precisely.
public struct GeocodedPlace: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    /// The place's name in the dataset: the city, or for a postal area the area's
    /// reference town (a Spanish province's capital).
    public var name: String
    public var precision: Precision

    public enum Precision: String, Sendable {
        /// The city (town, municipality) itself.
        case city
        /// Only the postal area was recognised (in Spain: the province of the first two digits).
        case postalArea
    }

    public init(latitude: Double, longitude: Double, name: String, precision: Precision) {
        self.latitude = latitude
        self.longitude = longitude
        self.name = name
        self.precision = precision
    }
}

/// Turns an address-level query into coordinates.
public protocol Geocoder: Sendable {
    /// Returns `nil` when the query cannot be placed (unknown city and postal code, unknown country).
    func locate(_ query: GeocodeQuery) async throws -> GeocodedPlace?
}
