import Shared
import Testing

@Suite("Splitting migration files into statements")
struct SQLScriptTests {
    // MARK: Tests

    @Test func statementsSplitAtTopLevelSemicolons() {
        #expect(SQLScript.statements("CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n") == [
            "CREATE TABLE a (x int)", "CREATE TABLE b (y int)",
        ])
    }

    @Test func semicolonsInsideQuotesDollarQuotesAndCommentsDoNotSplit() {
        let script = """
            -- a comment; with a semicolon
            COMMENT ON TABLE a IS 'it''s; fine';
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 2; END $body$;
            /* block; /* nested; */ still comment; */ SELECT "odd;name" FROM t;
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("IS 'it''s; fine'"))
        #expect(statements[1].hasSuffix("$$ SELECT 1; $$"))
        #expect(statements[2].hasSuffix("$body$ BEGIN RETURN 2; END $body$"))
        #expect(statements[3].hasSuffix(#"SELECT "odd;name" FROM t"#))
    }

    @Test func commentOnlyTailsAreDropped() {
        #expect(SQLScript.statements("SELECT 1;\n-- trailing note\n") == ["SELECT 1"])
    }

    @Test func positionalParametersAreNotDollarQuotes() {
        #expect(SQLScript.statements("SELECT $1; SELECT 2") == ["SELECT $1", "SELECT 2"])
    }
}
