import Foundation

/// Splits a migration file into statements at top-level semicolons.
/// postgres-nio speaks only the extended protocol, which takes one statement
/// per query; this knows enough SQL lexing (quotes, dollar quotes, comments)
/// not to split inside a function body or a string.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty, !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }

        while index < characters.count {
            let character = characters[index]
            let next: Unicode.Scalar? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                // Line comment: copy through the end of the line.
                while index < characters.count, characters[index] != "\n" {
                    current.append(characters[index])
                    index += 1
                }
                continue
            case "/" where next == "*":
                var depth = 0
                repeat {
                    if characters[index] == "/", index + 1 < characters.count, characters[index + 1] == "*" {
                        depth += 1
                        current.append(contentsOf: "/*".unicodeScalars)
                        index += 2
                    } else if characters[index] == "*", index + 1 < characters.count, characters[index + 1] == "/" {
                        depth -= 1
                        current.append(contentsOf: "*/".unicodeScalars)
                        index += 2
                    } else {
                        current.append(characters[index])
                        index += 1
                    }
                } while depth > 0 && index < characters.count
                continue
            case "'", "\"":
                // Quoted literal or identifier; a doubled quote is an escaped quote.
                current.append(character)
                index += 1
                while index < characters.count {
                    current.append(characters[index])
                    if characters[index] == character {
                        if index + 1 < characters.count, characters[index + 1] == character {
                            current.append(characters[index + 1])
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                continue
            case "$":
                if let tag = dollarTag(characters, at: index) {
                    current.append(contentsOf: tag.unicodeScalars)
                    index += tag.unicodeScalars.count
                    let tagScalars = Array(tag.unicodeScalars)
                    while index < characters.count {
                        if characters[index] == "$", Array(characters[index..<min(index + tagScalars.count, characters.count)]) == tagScalars {
                            current.append(contentsOf: tag.unicodeScalars)
                            index += tagScalars.count
                            break
                        }
                        current.append(characters[index])
                        index += 1
                    }
                    continue
                }
            case ";":
                flush()
                index += 1
                continue
            default:
                break
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    /// `$$` or `$tag$` starting at `index`, if one does.
    private static func dollarTag(_ characters: [Unicode.Scalar], at index: Int) -> String? {
        var end = index + 1
        while end < characters.count, characters[end] == "_" || characters[end].properties.isAlphabetic
            || (end > index + 1 && ("0"..."9").contains(characters[end]))
        {
            end += 1
        }
        guard end < characters.count, characters[end] == "$" else { return nil }
        return String(String.UnicodeScalarView(characters[index...end]))
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}
