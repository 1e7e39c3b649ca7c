/// Masking of personal data for staff views: enough to recognise a caller on the phone,
/// not enough to contact or visit them.
public enum Mask {
    /// `Juan Diaz Ruiz` → `J*** D*** R***`.
    public static func name(_ name: String) -> String {
        name.split(separator: " ").map { part in (part.first.map(String.init) ?? "") + "***" }.joined(separator: " ")
    }

    /// `+34600123123` → `+34 *** *** 123`.
    public static func phone(_ phone: String) -> String {
        let digits = phone.dropFirst()
        guard digits.count >= 7 else { return "***" }
        return "+" + digits.prefix(2) + " *** *** " + digits.suffix(3)
    }

    /// `juan.diaz@example.com` → `j***@example.com`.
    public static func email(_ email: String) -> String {
        let parts = email.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { return "***" }
        return (parts[0].first.map(String.init) ?? "") + "***@" + parts[1]
    }
}
