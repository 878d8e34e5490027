import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Every endpoint of guidelines-shot-type-rules-endpoints.txt.
@Suite("Guidelines shot-type rules")
struct ShotTypeRulesTests {
    static let ruleFields = ["id", "guidelines_id", "rule_kind", "rule_value", "shot_type_id", "created_at", "updated_at"]

    private func rulesPath(_ guidelines: UUID) -> String { "/api/v1/guidelines/\(guidelines)/shot-type-rules" }

    private func rule(_ kind: String, _ value: String, _ shotType: UUID) -> JSONValue {
        ["rule_kind": .string(kind), "rule_value": .string(value), "shot_type_id": .uuid(shotType)]
    }

    private func group(_ kind: String, _ value: String, _ shotTypes: [UUID]) -> JSONValue {
        ["rule_kind": .string(kind), "rule_value": .string(value), "shot_type_ids": .array(shotTypes.map { .uuid($0) })]
    }

    // MARK: Tests: create (POST /)

    @Test func creatingARuleAnswersTheRowInItsDocumentedShape() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let shotType = try await api.createShotType(by: alice)
            let response = try await api.post(rulesPath(guidelines) + "/", token: alice.token, json: rule("PLACEMENT", "upper_body", shotType))
            #expect(response.status == .ok)
            #expect(response.json.keys == Self.ruleFields)
            #expect(response.json["guidelines_id"].uuid == guidelines)
            #expect(response.json["rule_kind"] == "PLACEMENT")
            #expect(response.json["rule_value"] == "upper_body")
            #expect(response.json["shot_type_id"].uuid == shotType)
        }
    }

    @Test func aDuplicateRuleIsAConflict() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let shotType = try await api.createShotType(by: alice)
            #expect(try await api.post(rulesPath(guidelines), token: alice.token, json: rule("CATEGORY", "shoes", shotType)).status == .ok)
            let again = try await api.post(rulesPath(guidelines), token: alice.token, json: rule("CATEGORY", "shoes", shotType))
            #expect(again.status == .conflict)
            #expect(again.json["detail"].string != nil)
        }
    }

    @Test func anUnknownInvisibleOrDeletedShotTypeIsAValueErrorAtShotTypeId() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let invisible = try await api.createShotType(by: bob)
            let deleted = try await api.createShotType(by: alice)
            _ = try await api.delete("/api/v1/shot-types/\(deleted)", token: alice.token)
            for shotType in [UUID(), invisible, deleted] {
                let response = try await api.post(rulesPath(guidelines), token: alice.token, json: rule("PLACEMENT", "x", shotType))
                #expect(response.status == .unprocessableContent)
                #expect(response.json["detail"][0]["type"] == "value_error")
                #expect(response.json["detail"][0]["loc"] == ["body", "shot_type_id"])
            }
            // Someone else's public shot type may be referenced.
            let shared = try await api.createShotType(
                by: try await api.createUser(superuser: true), extra: ["public": true, "owner_id": .uuid(bob.id)]
            )
            #expect(try await api.post(rulesPath(guidelines), token: alice.token, json: rule("PLACEMENT", "x", shared)).status == .ok)
        }
    }

    @Test func ruleFieldsAreValidatedWithPydanticTypes() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let bad = try await api.post(
                rulesPath(guidelines), token: alice.token,
                json: ["rule_kind": "COLOUR", "rule_value": .string(String(repeating: "v", count: 101)), "shot_type_id": "nope"]
            )
            #expect(bad.json.issueTypes == ["enum", "string_too_long", "uuid_parsing"])
            #expect(bad.json["detail"][0]["msg"] == "Input should be 'PLACEMENT' or 'CATEGORY'")
            #expect(bad.json["detail"][1]["ctx"] == ["max_length": 100])
            let empty = try await api.post(rulesPath(guidelines), token: alice.token, json: ["rule_value": ""])
            #expect(empty.json.issueTypes == ["missing", "string_too_short", "missing"])
        }
    }

    // MARK: Tests: flat list (GET /)

    @Test func theFlatListOrdersByKindTextThenValueThenAge() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let first = try await api.createShotType("A", by: alice)
            let second = try await api.createShotType("B", by: alice)
            for body in [
                rule("PLACEMENT", "b", first), rule("PLACEMENT", "a", second), rule("CATEGORY", "z", first),
                rule("PLACEMENT", "a", first),
            ] {
                #expect(try await api.post(rulesPath(guidelines), token: alice.token, json: body).status == .ok)
            }
            let list = try await api.get(rulesPath(guidelines) + "/", token: alice.token)
            #expect(list.json["count"] == 4)
            let order = list.json["data"].array?.map { "\($0["rule_kind"].string!):\($0["rule_value"].string!):\($0["shot_type_id"].uuid == first ? "1" : "2")" }
            #expect(order == ["CATEGORY:z:1", "PLACEMENT:a:2", "PLACEMENT:a:1", "PLACEMENT:b:1"])
            #expect(list.json["data"][0].keys == Self.ruleFields)
        }
    }

    // MARK: Tests: grouped (GET /grouped)

    @Test func theGroupedViewHasOneGroupPerKeyWithFullShotTypesByName() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let zeta = try await api.createShotType("Zeta", by: alice)
            let alpha = try await api.createShotType("Alpha", by: alice)
            let gone = try await api.createShotType("Gone", by: alice)
            _ = try await api.put(rulesPath(guidelines) + "/bulk-replace", token: alice.token, json: group("PLACEMENT", "upper_body", [zeta, alpha, gone]))
            _ = try await api.put(rulesPath(guidelines) + "/bulk-replace", token: alice.token, json: group("CATEGORY", "bags", [zeta]))
            _ = try await api.delete("/api/v1/shot-types/\(gone)", token: alice.token)

            let grouped = try await api.get(rulesPath(guidelines) + "/grouped", token: alice.token)
            #expect(grouped.status == .ok)
            #expect(grouped.json["count"] == 2)
            #expect(grouped.json["data"][0].keys == ["rule_kind", "rule_value", "shot_types"])
            #expect(grouped.json["data"][0]["rule_kind"] == "CATEGORY")
            let placement = grouped.json["data"][1]
            #expect(placement["rule_value"] == "upper_body")
            #expect(placement["shot_types"].array?.map { $0["name"].string } == ["Alpha", "Zeta"])
            #expect(placement["shot_types"][0].keys == ResponseFields.shotTypePublic)
        }
    }

    /// Personal guidelines of a member may name the organization's shot
    /// types; once the member has left, those rows are hidden like deleted
    /// ones instead of showing the organization's shot types in full.
    @Test func rulesNameOnlyShotTypesTheCallerCanSee() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            try await api.addMember(bob, to: organization, by: alice)
            let shared = try await api.createShotType("Team front", by: alice, organizationID: organization)
            let own = try await api.createShotType("Own front", by: bob)
            let guidelines = try await api.createGuidelines(by: bob)
            let replaced = try await api.put(
                rulesPath(guidelines) + "/bulk-replace", token: bob.token, json: group("PLACEMENT", "upper_body", [shared, own])
            )
            #expect(replaced.json["count"] == 2)

            _ = try await api.delete("/api/v1/organizations/\(organization)/members/\(bob.id)", token: alice.token)
            let grouped = try await api.get(rulesPath(guidelines) + "/grouped", token: bob.token)
            #expect(grouped.json["data"][0]["shot_types"].array?.map { $0["name"].string } == ["Own front"])
            let flat = try await api.get(rulesPath(guidelines) + "/", token: bob.token)
            #expect(flat.json["data"].array?.map { $0["shot_type_id"].uuid } == [own])
            let root = try await api.superuserToken()
            #expect(try await api.get(rulesPath(guidelines) + "/", token: root).json["count"] == 2)
        }
    }

    // MARK: Tests: bulk-replace (PUT /bulk-replace)

    @Test func bulkReplaceMakesTheKeyExactlyTheListAndAnswersItsRows() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let (a, b, c) = (try await api.createShotType("A", by: alice), try await api.createShotType("B", by: alice), try await api.createShotType("C", by: alice))
            let path = rulesPath(guidelines) + "/bulk-replace"
            let first = try await api.put(path, token: alice.token, json: group("PLACEMENT", "full", [a, b]))
            #expect(first.status == .ok)
            #expect(first.json["count"] == 2)
            let keptRow = first.json["data"].array?.first { $0["shot_type_id"].uuid == b }?["id"]
            _ = try await api.post(rulesPath(guidelines), token: alice.token, json: rule("CATEGORY", "other", a))

            let second = try await api.put(path, token: alice.token, json: group("PLACEMENT", "full", [b, c, c]))
            #expect(Set(second.json["data"].array?.compactMap { $0["shot_type_id"].uuid } ?? []) == [b, c])
            #expect(second.json["count"] == 2)
            #expect(second.json["data"].array?.first { $0["shot_type_id"].uuid == b }?["id"] == keptRow)
            // Other keys are untouched.
            #expect(try await api.get(rulesPath(guidelines), token: alice.token).json["count"] == 3)
        }
    }

    @Test func bulkReplaceWithAnEmptyOrOmittedListClearsTheKey() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let shotType = try await api.createShotType(by: alice)
            let path = rulesPath(guidelines) + "/bulk-replace"
            for clearing: JSONValue in [group("PLACEMENT", "k", []), ["rule_kind": "PLACEMENT", "rule_value": "k"]] {
                _ = try await api.put(path, token: alice.token, json: group("PLACEMENT", "k", [shotType]))
                let cleared = try await api.put(path, token: alice.token, json: clearing)
                #expect(cleared.status == .ok)
                #expect(cleared.json == ["data": [], "count": 0])
            }
        }
    }

    @Test func aBadIdInTheMiddleOfABulkReplaceChangesNothing() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let (a, b) = (try await api.createShotType("A", by: alice), try await api.createShotType("B", by: alice))
            let path = rulesPath(guidelines) + "/bulk-replace"
            let before = try await api.put(path, token: alice.token, json: group("PLACEMENT", "k", [a]))
            let unknown = UUID()
            let rejected = try await api.put(path, token: alice.token, json: group("PLACEMENT", "k", [b, unknown, a]))
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.json["detail"][0]["loc"] == ["body", "shot_type_ids", 1])
            #expect(rejected.json["detail"][0]["input"].uuid == unknown)
            #expect(try await api.get(rulesPath(guidelines), token: alice.token).json["data"] == before.json["data"])
        }
    }

    /// Both requests are made to wait on a lock the test holds on the key's
    /// rows, then released together, so their statements interleave as
    /// tightly as the database allows.
    @Test func concurrentBulkReplacesOfOneKeyEndInOneListNeverAMix() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            var shotTypes: [UUID] = []
            for index in 0..<8 { shotTypes.append(try await api.createShotType("S\(index)", by: alice)) }
            let left = Set(shotTypes[0..<4])
            let right = Set(shotTypes[4..<8])
            let path = rulesPath(guidelines) + "/bulk-replace"
            // Start from half of each list so both replaces delete and insert rows.
            _ = try await api.put(path, token: alice.token, json: group("PLACEMENT", "k", [shotTypes[0], shotTypes[1], shotTypes[4], shotTypes[5]]))

            try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.withConnection { blocker in
                    // A connection's query needs the logger argument, else an unsafe String overload is chosen.
                    let logger = Logger(label: "blocker")
                    try await blocker.query("BEGIN", logger: logger)
                    try await blocker.query(
                        "SELECT id FROM guidelines_shot_type_rules WHERE guidelines_id = \(guidelines) FOR UPDATE", logger: logger
                    )
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        for list in [left, right] {
                            tasks.addTask {
                                try await api.withOwnConnection { api in
                                    let response = try await api.put(path, token: alice.token, json: group("PLACEMENT", "k", Array(list)))
                                    #expect(response.status == .ok, "\(response.text)")
                                }
                            }
                        }
                        let bothWaiting = try await eventually {
                            let waiting = try await client.query(
                                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                            ).one(Int.self)
                            return waiting == 2
                        }
                        #expect(bothWaiting)
                        try await blocker.query("COMMIT", logger: logger)
                        try await tasks.waitForAll()
                    }
                }
            }
            let now = Set(try await api.get(rulesPath(guidelines), token: alice.token).json["data"].array?.compactMap { $0["shot_type_id"].uuid } ?? [])
            #expect(now == left || now == right, "mixed: \(now)")
        }
    }

    // MARK: Tests: delete (DELETE /{rule_id})

    @Test func deletingARuleAnswersAMessageAndARuleOfAnotherGuidelineIsNotFound() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mine = try await api.createGuidelines("Mine", by: alice)
            let other = try await api.createGuidelines("Other", by: alice)
            let shotType = try await api.createShotType(by: alice)
            let created = try await api.post(rulesPath(other), token: alice.token, json: rule("PLACEMENT", "x", shotType))
            let ruleID = try #require(created.json["id"].uuid)

            let wrongParent = try await api.delete("\(rulesPath(mine))/\(ruleID)", token: alice.token)
            #expect(wrongParent.status == .notFound)
            let deleted = try await api.delete("\(rulesPath(other))/\(ruleID)", token: alice.token)
            #expect(deleted.status == .ok)
            #expect(deleted.json.keys == ["message"])
            #expect(try await api.delete("\(rulesPath(other))/\(ruleID)", token: alice.token).status == .notFound)
        }
    }

    // MARK: Tests: tenancy across the five endpoints

    @Test func anotherUsersGuidelinesAreNotFoundOnAllFiveEndpoints() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mallory = try await api.createUser()
            let guidelines = try await api.createGuidelines(by: alice)
            let shotType = try await api.createShotType(by: mallory)
            let path = rulesPath(guidelines)
            let responses = [
                try await api.get(path, token: mallory.token),
                try await api.post(path, token: mallory.token, json: rule("PLACEMENT", "x", shotType)),
                try await api.get(path + "/grouped", token: mallory.token),
                try await api.put(path + "/bulk-replace", token: mallory.token, json: group("PLACEMENT", "x", [shotType])),
                try await api.delete("\(path)/\(UUID())", token: mallory.token),
            ]
            for response in responses {
                #expect(response.status == .notFound)
                #expect(response.json == ["detail": "Guidelines not found"])
            }
        }
    }

    @Test func theOrganizationFilterIsForbiddenToNonMembersOnAllFiveEndpoints() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mallory = try await api.createUser()
            let organization = try await api.createOrganization(admin: alice)
            let guidelines = try await api.createGuidelines(by: alice, extra: ["organization_id": .uuid(organization)])
            let query = "?organization_id=\(organization)"
            let path = rulesPath(guidelines)
            let shotType = UUID()
            let responses = [
                try await api.get(path + "/" + query, token: mallory.token),
                try await api.post(path + "/" + query, token: mallory.token, json: rule("PLACEMENT", "x", shotType)),
                try await api.get(path + "/grouped" + query, token: mallory.token),
                try await api.put(path + "/bulk-replace" + query, token: mallory.token, json: group("PLACEMENT", "x", [])),
                try await api.delete("\(path)/\(UUID())" + query, token: mallory.token),
            ]
            for response in responses { #expect(response.status == .forbidden) }
            #expect(try await api.get(path + "/" + query, token: alice.token).status == .ok)
        }
    }

    // MARK: Tests: nested rules in guidelines create and update

    @Test func guidelinesCreateAndUpdateApplyNestedRuleGroups() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let (a, b) = (try await api.createShotType("A", by: alice), try await api.createShotType("B", by: alice))
            let guidelines = try await api.createGuidelines(
                by: alice, extra: ["shot_type_rules": [group("PLACEMENT", "upper", [a]), group("CATEGORY", "shoes", [a, b])]]
            )
            #expect(try await api.get(rulesPath(guidelines), token: alice.token).json["count"] == 3)

            // A listed key is replaced, an unlisted one stays, null changes nothing.
            _ = try await api.put("/api/v1/guidelines/\(guidelines)", token: alice.token, json: ["shot_type_rules": [group("CATEGORY", "shoes", [b])]])
            let after = try await api.get(rulesPath(guidelines) + "/grouped", token: alice.token).json
            #expect(after["data"].array?.map { "\($0["rule_value"].string!)=\($0["shot_types"].array!.count)" } == ["shoes=1", "upper=1"])
            _ = try await api.put("/api/v1/guidelines/\(guidelines)", token: alice.token, json: ["name": "Renamed", "shot_type_rules": .null])
            #expect(try await api.get(rulesPath(guidelines), token: alice.token).json["count"] == 2)
        }
    }

    @Test func aBadNestedShotTypeLeavesNoGuidelinesBehind() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let a = try await api.createShotType("A", by: alice)
            let response = try await api.post(
                "/api/v1/guidelines/", token: alice.token,
                json: ["name": "G", "shot_type_rules": [group("PLACEMENT", "ok", [a]), group("CATEGORY", "bad", [a, UUID()])]]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.json["detail"][0]["loc"] == ["body", "shot_type_rules", 1, "shot_type_ids", 1])
            #expect(try await api.get("/api/v1/guidelines/", token: alice.token).json["count"] == 0)
            let rules = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT count(*) FROM guidelines_shot_type_rules").one(Int.self)
            }
            #expect(rules == 0)
        }
    }
}
