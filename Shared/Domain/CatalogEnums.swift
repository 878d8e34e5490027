/// Where the camera stands; the Postgres enum `view_angle` (sql/0002) has the same cases.
public enum ViewAngle: String, CaseIterable, Sendable {
    case front, back, side, left, right
    case threeQuarterLeft = "three_quarter_left"
    case threeQuarterRight = "three_quarter_right"
    case top, bottom, detail
}

/// How much of the subject is in frame; the Postgres enum `shot_type_framing`.
public enum ShotTypeFraming: String, CaseIterable, Sendable {
    case fullBody = "full_body"
    case threeQuarterBody = "three_quarter_body"
    case upperBody = "upper_body"
    case lowerBody = "lower_body"
    case closeUp = "close_up"
    case detail
}

/// What a guidelines rule's value names; the Postgres enum `guidelines_shot_type_rule_kind`.
public enum GuidelinesShotTypeRuleKind: String, CaseIterable, Sendable {
    case placement = "PLACEMENT"
    case category = "CATEGORY"
}
