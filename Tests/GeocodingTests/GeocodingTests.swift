import Geocoding
import Testing

@Suite("Offline geocoder")
struct GeocodingTests {
    /// The table shipped in the module (`Resources/places.tsv`).
    let geocoder: OfflineGeocoder

    init() throws {
        geocoder = try OfflineGeocoder.bundled()
    }

    func expectNear(_ place: GeocodedPlace?, _ latitude: Double, _ longitude: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let place else {
            Issue.record("not found", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(place.latitude - latitude) < 0.1, "latitude \(place.latitude)", sourceLocation: sourceLocation)
        #expect(abs(place.longitude - longitude) < 0.1, "longitude \(place.longitude)", sourceLocation: sourceLocation)
    }

    @Test("the bundled table loads: > 1000 cities and the 52 Spanish provinces")
    func bundledTable() async throws {
        #expect(geocoder.cityCount > 1000)
        #expect(geocoder.postalAreaCount == 52)
        for province in 1...52 {
            let code = (province < 10 ? "0" : "") + "\(province)001"
            let place = try await geocoder.locate(GeocodeQuery(postalCode: code, country: "ES"))
            #expect(place?.precision == .postalArea, "\(code)")
        }
    }

    @Test("Madrid and Barcelona are where they should be")
    func bigCities() async throws {
        let madrid = try await geocoder.locate(GeocodeQuery(city: "Madrid", country: "ES"))
        expectNear(madrid, 40.4168, -3.7038)
        #expect(madrid?.precision == .city)
        #expect(madrid?.name == "Madrid")
        expectNear(try await geocoder.locate(GeocodeQuery(city: "Barcelona", country: "ES")), 41.3874, 2.1686)
    }

    @Test("city names match ignoring case, accents and extra spaces", arguments: ["Málaga", "málaga", "MALAGA", " Malaga ", "  MáLaGa\t"])
    func folding(_ typed: String) async throws {
        let place = try await geocoder.locate(GeocodeQuery(city: typed, country: "es"))
        #expect(place?.name == "Málaga")
        #expect(place?.precision == .city)
        expectNear(place, 36.7202, -4.4203)
    }

    @Test("other spellings resolve to the dataset's city", arguments: [
        ("Lisboa", "PT", "Lisbon"), ("Vitoria-Gasteiz", "ES", "Gasteiz / Vitoria"), ("vitoria", "ES", "Gasteiz / Vitoria"),
        ("sant adria de besos", "ES", "Sant Adrià de Besòs"), ("Cádiz", "ES", "Cadiz"),
    ])
    func aliases(_ typed: String, _ country: String, _ expected: String) async throws {
        let place = try await geocoder.locate(GeocodeQuery(city: typed, country: country))
        #expect(place?.name == expected)
        #expect(place?.precision == .city)
    }

    @Test("a Spanish postal code places the province when the city is unknown")
    func spanishPostalCode() async throws {
        let byCode = try await geocoder.locate(GeocodeQuery(postalCode: "08001", country: "ES"))
        #expect(byCode?.precision == .postalArea)
        #expect(byCode?.name == "Barcelona")
        expectNear(byCode, 41.3874, 2.1686)

        let unknownTown = try await geocoder.locate(GeocodeQuery(city: "Villanoexiste de Abajo", postalCode: "41001", country: "ES"))
        #expect(unknownTown?.precision == .postalArea)
        expectNear(unknownTown, 37.3828, -5.9732)

        // The city wins over the postal prefix.
        let both = try await geocoder.locate(GeocodeQuery(city: "Madrid", postalCode: "08001", country: "ES"))
        #expect(both?.precision == .city)
        expectNear(both, 40.4168, -3.7038)

        // Only whole 5-digit codes of a known province.
        #expect(try await geocoder.locate(GeocodeQuery(postalCode: "0800", country: "ES")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(postalCode: "99001", country: "ES")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(postalCode: "08A01", country: "ES")) == nil)
    }

    @Test("an unknown city outside Spain is not placed, postal code or not")
    func unknownAbroad() async throws {
        #expect(try await geocoder.locate(GeocodeQuery(city: "Villanoexiste", postalCode: "75001", country: "FR")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(city: "Villanoexiste", country: "PT")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(city: "", postalCode: "", country: "ES")) == nil)
    }

    @Test("the country is required and must match")
    func wrongCountry() async throws {
        #expect(try await geocoder.locate(GeocodeQuery(city: "Madrid", country: "PT")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(city: "Madrid", country: "")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(city: "Madrid", country: "ESP")) == nil)
        #expect(try await geocoder.locate(GeocodeQuery(postalCode: "08001", country: "FR")) == nil)
        expectNear(try await geocoder.locate(GeocodeQuery(city: "Paris", country: "FR")), 48.8534, 2.3488)
    }

    @Test("among namesakes in a country the first row (the most populous) wins")
    func firstRowWins() async throws {
        let table = """
            # test table
            city\tES\tSantiago\t42.88052\t-8.54569\tSantiago de Compostela
            city\tES\tsantiago\t40.00000\t-1.00000
            city\tCL\tSantiago\t-33.45694\t-70.64827

            alias\tES\tCompostela\t42.88052\t-8.54569\tSantiago de Compostela
            postal\tES\t15\t43.37135\t-8.39600\tA Coruña
            """
        let geocoder = try OfflineGeocoder(tsv: table)
        #expect(geocoder.cityCount == 3)
        let spain = try await geocoder.locate(GeocodeQuery(city: "SANTIAGO", country: "ES"))
        #expect(spain == GeocodedPlace(latitude: 42.88052, longitude: -8.54569, name: "Santiago de Compostela", precision: .city))
        let chile = try await geocoder.locate(GeocodeQuery(city: "Santiago", country: "CL"))
        #expect(chile?.latitude == -33.45694)
        #expect(try await geocoder.locate(GeocodeQuery(city: "compostela", country: "ES"))?.name == "Santiago de Compostela")
        #expect(try await geocoder.locate(GeocodeQuery(postalCode: "15705", country: "ES"))?.name == "A Coruña")
    }

    @Test("a malformed row is rejected with its line number", arguments: [
        "city\tES\tMadrid\t40.4",  // too few fields
        "city\tES\tMadrid\t40.4\t-3.7\tlabel\textra",  // too many fields
        "city\tES\tMadrid\tnorth\t-3.7",  // latitude not a number
        "city\tES\tMadrid\t91\t-3.7",  // latitude out of range
        "city\tES\tMadrid\t40.4\t-181",  // longitude out of range
        "city\tes\tMadrid\t40.4\t-3.7",  // country not upper-case alpha-2
        "city\tESP\tMadrid\t40.4\t-3.7",
        "city\tES\t \t40.4\t-3.7",  // empty name
        "town\tES\tMadrid\t40.4\t-3.7",  // unknown kind
        "alias\tES\tMadriz\t40.4\t-3.7",  // alias without the city's name
        "postal\tES\t2A\t40.4\t-3.7",  // postal prefix not digits
        "city ES Madrid 40.4 -3.7",  // spaces, not tabs
    ])
    func malformedRow(_ row: String) {
        let table = "# header\ncity\tES\tSevilla\t37.38283\t-5.97317\n" + row + "\n"
        #expect {
            try OfflineGeocoder(tsv: table)
        } throws: { error in
            (error as? OfflineGeocoder.DataError)?.line == 3
        }
    }

    @Test("postal prefixes of one country must all have one length")
    func mixedPrefixLengths() {
        let table = "postal\tES\t28\t40.4\t-3.7\npostal\tES\t080\t41.4\t2.2\n"
        #expect(throws: OfflineGeocoder.DataError.self) { try OfflineGeocoder(tsv: table) }
    }
}
