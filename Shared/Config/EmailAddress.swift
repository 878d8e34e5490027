/// The email check used for user accounts: one `@`, a non-empty local part and a
/// dotted domain, no spaces, at most 254 bytes. Deliverability is not our concern.
public enum EmailAddress {
    public static func isValid(_ value: String) -> Bool {
        problem(value) == nil
    }

    /// Why the value is not an email address, in the words pydantic's EmailStr uses.
    public static func problem(_ value: String) -> String? {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return "The email address is not valid. It must have exactly one @-sign."
        }
        guard !parts[0].isEmpty else { return "There must be something before the @-sign." }
        guard !parts[1].isEmpty else { return "There must be something after the @-sign." }
        guard value.utf8.count <= 254 else { return "The email address is too long." }
        guard !value.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            return "The email address contains invalid characters."
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else {
            return "The part after the @-sign is not valid. It should have a period."
        }
        return nil
    }
}
