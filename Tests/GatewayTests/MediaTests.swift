import Crypto
import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Shared
import Testing
import TestSupport

@testable import GatewayApp

@Suite("Media")
struct MediaTests {
    static func fixture(_ name: String) throws -> [UInt8] { try Fixtures.imageBytes(name) }

    private func upload(_ api: GatewayClient, _ user: TestUser, _ name: String, query: String = "") async throws -> APIResponse {
        try await api.upload("/api/v1/media/" + query, token: user.token, form: .file(try Self.fixture(name), filename: name))
    }

    /// The URL's path and query, for the test client (which speaks to the server directly).
    private func pathAndQuery(_ url: String) -> String {
        guard let range = url.range(of: "/api/") else { return url }
        return String(url[range.lowerBound...])
    }

    // MARK: Tests

    @Test(arguments: TestBlobStore.allCases)
    func anUploadedImageIsDescribedFromItsBytesAndServedBack(_ store: TestBlobStore) async throws {
        try await TestGateway.run(configure: store.configure) { api in
            let alice = try await api.createUser()
            let bytes = try Self.fixture("exif6_30x40.jpg")
            let response = try await api.upload("/api/v1/media/", token: alice.token, form: .file(bytes, filename: "photo.png"))
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.json.keys == ResponseFields.mediaResourcePublic)
            #expect(response.json["resource_type"] == "image")
            #expect(response.json["extension"] == "jpg")
            #expect(response.json["width"] == 30 && response.json["height"] == 40)
            #expect(response.json["orientation"] == "portrait" && response.json["aspect_ratio"] == .double(0.75))
            #expect(response.json["file_size"] == .int(bytes.count))
            let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            #expect(response.json["content_hash"] == .string(hash))

            let content = try await api.get(pathAndQuery(try #require(response.json["url"].string)), token: nil)
            #expect(content.status == .ok)
            #expect(Array(content.body.readableBytesView) == bytes)
            #expect(content.headers[.contentType] == "image/jpeg")
            #expect(content.headers[.contentLength] == String(bytes.count))
            #expect(content.headers[.eTag] == "\"\(hash)\"")
            #expect(content.headers[.cacheControl] == "private, max-age=3600, immutable")
        }
    }

    @Test func everyFixtureFormatIsAccepted() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            for name in ["baseline_64x48.jpg", "rgb_33x17.png", "animated_24x18.gif", "lossless_31x29.webp", "little_endian_21x13.tif", "pillow_19x23.avif"] {
                let response = try await upload(api, alice, name)
                #expect(response.status == .ok, "\(name): \(response.text)")
                #expect(response.json["width"].int != nil, "\(name)")
            }
        }
    }

    @Test func aNonImageOrACorruptImageIs422() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let text = try await upload(api, alice, "not_an_image.txt")
            #expect(text.status == .unprocessableContent)
            #expect(text.json["detail"][0] == ["type": "value_error", "loc": ["body", "file"], "msg": "The uploaded file is not an image", "input": .null])
            let truncated = Array(try Self.fixture("baseline_64x48.jpg").prefix(40))
            let corrupt = try await api.upload("/api/v1/media/", token: alice.token, form: .file(truncated))
            #expect(corrupt.status == .unprocessableContent)
            #expect(corrupt.json["detail"][0]["msg"].string?.hasPrefix("The uploaded image is corrupt") == true)
            let rows = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT (SELECT count(*) FROM media_resources) + (SELECT count(*) FROM blobs)").one(Int.self)
            }
            #expect(rows == 0)
        }
    }

    @Test func aRequestWithoutAFileFieldIs422() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let wrongField = try await api.upload(
                "/api/v1/media/", token: alice.token, form: MultipartForm([.init(name: "image", bytes: [1, 2, 3])])
            )
            #expect(wrongField.json["detail"][0]["type"] == "missing")
            #expect(wrongField.json["detail"][0]["loc"] == ["body", "file"])
            let json = try await api.post("/api/v1/media/", token: alice.token, json: ["file": "x"])
            #expect(json.status == .unprocessableContent)
            let garbled = try await api.request(
                .post, "/api/v1/media/", token: alice.token, body: ByteBuffer(string: "--x\r\nno end"),
                headers: [.contentType: "multipart/form-data; boundary=x"]
            )
            #expect(garbled.status == .unprocessableContent)
        }
    }

    @Test func anUploadOverTheLimitIs413AndKeepsNothing() async throws {
        try await TestGateway.run(configure: { $0.maxUploadBytes = 2000 }) { api in
            let alice = try await api.createUser()
            let response = try await upload(api, alice, "animated_24x18.gif")
            #expect(response.status == .contentTooLarge)
            #expect(response.json["detail"].string?.contains("2000") == true)
            let rows = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT (SELECT count(*) FROM media_resources) + (SELECT count(*) FROM blobs)").one(Int.self)
            }
            #expect(rows == 0)
        }
    }

    @Test func theSameBytesAreStoredOnceButEachTenantHasItsOwnRow() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bob = try await api.createUser()
            let first = try await upload(api, alice, "rgb_33x17.png")
            let again = try await upload(api, alice, "rgb_33x17.png")
            let bobs = try await upload(api, bob, "rgb_33x17.png")
            #expect(first.json["id"] == again.json["id"])
            #expect(first.json["id"] != bobs.json["id"])
            let counts = try await TestDatabase.withClient(api.databaseURL) { client in
                try await client.query("SELECT (SELECT count(*) FROM blobs) * 100 + (SELECT count(*) FROM media_resources)").one(Int.self)
            }
            #expect(counts == 102)
            // Bob's copy of the bytes does not make Alice's media visible to him.
            let id = try #require(first.json["id"].uuid)
            #expect(try await api.get("/api/v1/media/\(id)", token: bob.token).status == .notFound)
        }
    }

    @Test func mediaIsReadableByItsTenantOnly() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let mallory = try await api.createUser()
            let id = try #require(try await upload(api, alice, "rgb_33x17.png").json["id"].uuid)
            let read = try await api.get("/api/v1/media/\(id)", token: alice.token)
            #expect(read.json.keys == ResponseFields.mediaResourcePublic)
            #expect(try await api.get("/api/v1/media/\(id)", token: mallory.token).status == .notFound)
            #expect(try await api.get("/api/v1/media/\(id)/content", token: alice.token).status == .ok)
            #expect(try await api.get("/api/v1/media/\(id)/content", token: mallory.token).status == .notFound)
            #expect(try await api.get("/api/v1/media/\(id)/content", token: nil).status == .unauthorized)
            #expect(try await api.get("/api/v1/media/nope", token: alice.token).status == .unprocessableContent)
            #expect(try await api.get("/api/v1/media/nope/content", token: alice.token).status == .unprocessableContent)
        }
    }

    @Test func tamperedOrExpiredSignaturesAreRefused() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let uploaded = try await upload(api, alice, "rgb_33x17.png")
            let id = try #require(uploaded.json["id"].uuid)
            let url = pathAndQuery(try #require(uploaded.json["url"].string))
            let other = try #require(try await upload(api, alice, "palette_16x16.png").json["id"].uuid)

            let tampered = url.replacingOccurrences(of: "signature=", with: "signature=A")
            let otherMedia = url.replacingOccurrences(of: id.uuidString.lowercased(), with: other.uuidString.lowercased())
            let longer = url.replacingOccurrences(of: "expires=", with: "expires=9")
            for forged in [tampered, otherMedia, longer] {
                let response = try await api.get(forged, token: nil)
                #expect(response.status == .forbidden, "\(forged)")
            }
            let signer = MediaURLSigner(secretKey: TestGateway.secretKey, lifetime: 60, publicBaseURL: nil)
            let expired = signer.url(for: id, base: "", now: Date(timeIntervalSinceNow: -120))
            #expect(try await api.get(expired, token: nil).status == .forbidden)
            #expect(try await api.get(signer.url(for: id, base: ""), token: nil).status == .ok)
        }
    }

    @Test func ifNoneMatchAnswers304AndRangesAnswer206() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bytes = try Self.fixture("animated_24x18.gif")
            let uploaded = try await upload(api, alice, "animated_24x18.gif")
            let url = pathAndQuery(try #require(uploaded.json["url"].string))
            let tag = try #require(uploaded.json["content_hash"].string)

            let notModified = try await api.request(.get, url, headers: [.ifNoneMatch: "\"other\", \"\(tag)\""])
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            #expect(try await api.request(.get, url, headers: [.ifNoneMatch: "\"other\""]).status == .ok)

            let cases: [(String, HTTPResponse.Status, Range<Int>?)] = [
                ("bytes=0-9", .partialContent, 0..<10),
                ("bytes=100-", .partialContent, 100..<bytes.count),
                ("bytes=-20", .partialContent, bytes.count - 20..<bytes.count),
                ("bytes=10-999999", .partialContent, 10..<bytes.count),
                ("bytes=0-1,5-6", .ok, 0..<bytes.count),
                ("items=0-1", .ok, 0..<bytes.count),
                ("bytes=99999-", .rangeNotSatisfiable, nil),
            ]
            for (header, status, range) in cases {
                let response = try await api.request(.get, url, headers: [.range: header])
                #expect(response.status == status, "\(header)")
                if let range {
                    #expect(Array(response.body.readableBytesView) == Array(bytes[range]), "\(header)")
                    if status == .partialContent {
                        #expect(response.headers[.contentRange] == "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(bytes.count)")
                    }
                } else {
                    #expect(response.headers[.contentRange] == "bytes */\(bytes.count)")
                }
            }
        }
    }

    @Test func aRangeEndingPastTheLastByteIsClampedTo206() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let bytes = try Self.fixture("rgb_33x17.png")
            let url = pathAndQuery(try #require(try await upload(api, alice, "rgb_33x17.png").json["url"].string))
            // Each of these once overflowed `end + 1` or `size - suffix` and ended the process.
            let cases: [(String, HTTPResponse.Status, Range<Int>)] = [
                ("bytes=0-9223372036854775807", .partialContent, 0..<bytes.count),
                ("bytes=5-99999999999999999999999", .partialContent, 5..<bytes.count),
                ("bytes=-9223372036854775807", .partialContent, 0..<bytes.count),
                ("bytes=-99999999999999999999999", .partialContent, 0..<bytes.count),
                ("bytes=+1-2", .ok, 0..<bytes.count),
                ("bytes=5-4", .ok, 0..<bytes.count),
                ("bytes=-", .ok, 0..<bytes.count),
            ]
            for (header, status, range) in cases {
                let response = try await api.request(.get, url, headers: [.range: header])
                #expect(response.status == status, "\(header)")
                #expect(Array(response.body.readableBytesView) == Array(bytes[range]), "\(header)")
                #expect(response.headers[.contentLength] == String(range.count), "\(header)")
                if status == .partialContent {
                    #expect(response.headers[.contentRange] == "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(bytes.count)")
                }
            }
            for header in ["bytes=9223372036854775807-", "bytes=99999999999999999999-", "bytes=-0"] {
                let response = try await api.request(.get, url, headers: [.range: header])
                #expect(response.status == .rangeNotSatisfiable, "\(header)")
                #expect(response.headers[.contentRange] == "bytes */\(bytes.count)")
                #expect(response.json == ["detail": "Requested range not satisfiable"])
            }
        }
    }

    @Test func rangeHeadersAreReadWithoutArithmeticThatCanOverflow() {
        let size = 1000
        let cases: [(String, ByteRange)] = [
            ("bytes=0-9", .partial(0..<10)), ("bytes=990-", .partial(990..<1000)), ("bytes=-10", .partial(990..<1000)),
            ("bytes=999-999", .partial(999..<1000)), ("Bytes=1-1", .partial(1..<2)), ("bytes= 2 - 3", .partial(2..<4)),
            ("bytes=0-9223372036854775807", .partial(0..<1000)), ("bytes=0-9223372036854775808", .partial(0..<1000)),
            // What Tests/Fuzz (range) found against the parser before the fix.
            ("bytes=100-9223372036854775807", .partial(100..<1000)),
            ("bytes=-9223372036854775807", .partial(0..<1000)), ("bytes=-1001", .partial(0..<1000)),
            ("bytes=1000-", .unsatisfiable), ("bytes=9223372036854775807-9223372036854775807", .unsatisfiable),
            ("bytes=-0", .unsatisfiable),
            ("bytes=", .ignored), ("bytes=-", .ignored), ("bytes=1", .ignored), ("bytes=+1-2", .ignored), ("bytes=1-+2", .ignored),
            ("bytes=-+2", .ignored), ("bytes=-1-2", .ignored), ("bytes=3-2", .ignored), ("bytes=0-1,3-4", .ignored),
            ("bytes=a-b", .ignored), ("bytes=٣-٤", .ignored), ("items=0-1", .ignored), ("", .ignored),
        ]
        for (header, expected) in cases {
            #expect(ByteRange.parse(header, size: size) == expected, "\(header)")
        }
        #expect(ByteRange.parse("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-5", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=0-0", size: Int.max) == .partial(0..<1))
        #expect(ByteRange.parse("bytes=-1", size: Int.max) == .partial(Int.max - 1..<Int.max))
        #expect(ByteRange.parse("bytes=0-", size: Int.max) == .partial(0..<Int.max))
    }

    @Test func aSignedURLsExpiryIsTheDecimalItWasSignedWith() throws {
        let signer = MediaURLSigner(secretKey: TestGateway.secretKey, lifetime: 60, publicBaseURL: nil)
        let id = UUID()
        let url = signer.url(for: id, base: "")
        let query = try #require(URLComponents(string: url)?.queryItems)
        let expires = try #require(query.first { $0.name == "expires" }?.value)
        let signature = query.first { $0.name == "signature" }?.value
        #expect(signer.isValid(mediaID: id, expires: expires, signature: signature))
        for respelled in ["+" + expires, "0" + expires, " " + expires, expires + " ", "99999999999999999999999"] {
            #expect(!signer.isValid(mediaID: id, expires: respelled, signature: signature), "\(respelled)")
        }
    }

    @Test func urlsUsePublicBaseURLOrTheForwardedHost() async throws {
        try await TestGateway.run { api in
            let alice = try await api.createUser()
            let id = try #require(try await upload(api, alice, "rgb_33x17.png").json["id"].uuid)
            let forwarded = try await api.request(
                .get, "/api/v1/media/\(id)", token: alice.token,
                headers: [.init("X-Forwarded-Proto")!: "https", .init("X-Forwarded-Host")!: "photos.example.com"]
            )
            #expect(forwarded.json["url"].string?.hasPrefix("https://photos.example.com/api/v1/media/\(id.uuidString.lowercased())/content?") == true)
        }
        try await TestGateway.run(configure: { $0.publicBaseURL = "https://cdn.example.org" }) { api in
            let alice = try await api.createUser()
            let uploaded = try await upload(api, alice, "rgb_33x17.png")
            #expect(uploaded.json["url"].string?.hasPrefix("https://cdn.example.org/api/v1/media/") == true)
        }
    }
}
