/// The single role an account holds. Signup creates `customer` accounts only.
public enum Role: String, Sendable, Codable, CaseIterable {
    case customer
    case installer
    case support
    case sales
    case engineer
    case admin

    /// Staff roles are the company's employees.
    public var isStaff: Bool {
        switch self {
        case .customer, .installer: false
        case .support, .sales, .engineer, .admin: true
        }
    }

    /// Roles that must use a second factor (TOTP): staff, and installers, who enter customers'
    /// homes and see their addresses (ASVS V6.3.3). Until enrolled their sessions may only enrol.
    public var requiresMFA: Bool { isStaff || self == .installer }
}
