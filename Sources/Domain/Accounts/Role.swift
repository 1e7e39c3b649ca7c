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
}
