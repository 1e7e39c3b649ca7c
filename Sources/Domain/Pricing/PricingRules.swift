/// Deterministic pricing. The same specification always yields the same quote.
///
/// Rules (all amounts in euro cents, no floating point):
/// - hardware: 9,500 per 0.1 kW of system size (950 EUR per kW: panels, inverter, mounting);
/// - labour: 6,000 per panel, times the roof factor (basis points, rounded half up):
///   asphalt shingle 1.00, metal 1.10, flat 1.15, tile 1.25, slate 1.40;
/// - survey and permits: a fixed 30,000 per order.
///
/// Prices exclude VAT. `docs/pricing.md` repeats these numbers; keep both in step.
public struct PricingRules: Sendable, Equatable {
    public var currency = "EUR"
    public var hardwareCentsPerDeciKw: Int64 = 9_500
    public var labourCentsPerPanel: Int64 = 6_000
    public var surveyAndPermitsCents: Int64 = 30_000

    public init() {}

    /// Labour multiplier for a roof, in basis points (10,000 = 1.00).
    public func roofFactorBasisPoints(_ roof: RoofType) -> Int64 {
        switch roof {
        case .asphaltShingle: 10_000
        case .metal: 11_000
        case .flat: 11_500
        case .tile: 12_500
        case .slate: 14_000
        }
    }

    /// Prices a specification that has already passed `InstallationSpec.validate()`.
    public func quote(for spec: InstallationSpec) -> Quote {
        let hardware = Int64(spec.systemSizeDeciKw) * hardwareCentsPerDeciKw
        let labourBase = Int64(spec.panelCount) * labourCentsPerPanel
        let labour = (labourBase * roofFactorBasisPoints(spec.roofType) + 5_000) / 10_000
        let size = String(spec.systemSizeDeciKw / 10) + "." + String(spec.systemSizeDeciKw % 10)
        return Quote(currency: currency, lines: [
            QuoteLine(code: "hardware", description: "Panels, inverter and mounting for \(size) kW", amountCents: hardware),
            QuoteLine(
                code: "labour",
                description: "Installation of \(spec.panelCount) panels on a \(spec.roofType.rawValue) roof",
                amountCents: labour
            ),
            QuoteLine(code: "survey_permits", description: "Site survey and permits", amountCents: surveyAndPermitsCents),
        ])
    }
}
