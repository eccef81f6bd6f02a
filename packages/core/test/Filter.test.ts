import { assert, describe, it } from "@effect/vitest"
import { Filter } from "@mreg/core"
import { Either } from "effect"

const ok = (text: string): Filter.Expression =>
  Either.getOrThrowWith(Filter.parse(text), (error) => new Error(`expected ${text} to parse: ${error.message}`))

const message = (text: string): string => {
  const result = Filter.parse(text)
  if (Either.isRight(result)) throw new Error(`expected ${text} not to parse`)
  return result.left.message
}

const field = (name: Filter.FieldName, ...path: Array<string>): Filter.Field => ({ name, path })
const cmp = (f: Filter.Field, op: Filter.Comparison, value: Filter.Literal): Filter.Expression => ({ _tag: "Compare", field: f, op, value })

describe("Filter.parse", () => {
  it("parses every comparison operator", () => {
    for (const op of ["=", "!=", "<", "<=", ">", ">="] as const) {
      assert.deepStrictEqual(ok(`metadata.accuracy ${op} 0.9`), cmp(field("metadata", "accuracy"), op, 0.9))
    }
  })

  it("parses in, contains and exists", () => {
    assert.deepStrictEqual(ok(`tag in ("prod", "staging")`), { _tag: "In", field: field("tag"), values: ["prod", "staging"] })
    assert.deepStrictEqual(ok(`metadata.x in (1, -2.5e3, true, null, 'a')`), {
      _tag: "In",
      field: field("metadata", "x"),
      values: [1, -2500, true, null, "a"]
    })
    assert.deepStrictEqual(ok(`description contains "bert"`), { _tag: "Contains", field: field("description"), value: "bert" })
    assert.deepStrictEqual(ok(`run_id exists`), { _tag: "Exists", field: field("run_id") })
  })

  it("binds not tighter than and, and tighter than or; parentheses group", () => {
    const a = cmp(field("name"), "=", "a")
    const b = cmp(field("step"), "=", 1)
    const c = cmp(field("deployable"), "=", true)
    assert.deepStrictEqual(ok(`name = "a" or step = 1 and deployable = true`), { _tag: "Or", left: a, right: { _tag: "And", left: b, right: c } })
    assert.deepStrictEqual(ok(`(name = "a" or step = 1) and deployable = true`), { _tag: "And", left: { _tag: "Or", left: a, right: b }, right: c })
    assert.deepStrictEqual(ok(`not name = "a" and step = 1`), { _tag: "And", left: { _tag: "Not", expression: a }, right: b })
    assert.deepStrictEqual(ok(`NOT (name = "a" OR step = 1)`), { _tag: "Not", expression: { _tag: "Or", left: a, right: b } })
  })

  it("reads dotted and quoted metadata keys", () => {
    assert.deepStrictEqual(ok(`metadata."a.b".c-d = 1`), cmp(field("metadata", "a.b", "c-d"), "=", 1))
    assert.deepStrictEqual(ok(`metadata.'it''s' exists`.replace("''", "\\'")), { _tag: "Exists", field: field("metadata", "it's") })
    assert.deepStrictEqual(ok(`framework.type = "transformers"`), cmp(field("framework", "type"), "=", "transformers"))
    assert.deepStrictEqual(ok(`environment.python_version = "3.10"`), cmp(field("environment", "python_version"), "=", "3.10"))
  })

  it("unescapes strings: quotes, backslashes, Unicode; % and _ stay themselves", () => {
    assert.deepStrictEqual(ok(`name = "a\\"b"`), cmp(field("name"), "=", "a\"b"))
    assert.deepStrictEqual(ok(`name = 'a\\'b'`), cmp(field("name"), "=", "a'b"))
    assert.deepStrictEqual(ok(`name = "ends with \\\\"`), cmp(field("name"), "=", "ends with \\"))
    assert.deepStrictEqual(ok(`name = "50%_off"`), cmp(field("name"), "=", "50%_off"))
    assert.deepStrictEqual(ok(`name = "\\u00e9t\\u00E9 ✓ 😀\\n"`), cmp(field("name"), "=", "été ✓ 😀\n"))
  })

  it("turns dates into the registry's timestamps", () => {
    assert.deepStrictEqual(ok(`created_at > "2026-01-01"`), cmp(field("created_at"), ">", "2026-01-01T00:00:00.000Z"))
    assert.deepStrictEqual(ok(`updated_at <= "2026-01-01T12:00:00+02:00"`), cmp(field("updated_at"), "<=", "2026-01-01T10:00:00.000Z"))
  })

  it("refuses calendar dates that do not exist instead of rolling them over", () => {
    const expected = (text: string) => `column 14: expected a date after ">", such as "2026-01-01" or "2026-01-01T12:00:00Z", found the string "${text}"`
    for (const text of ["2026-02-30", "2026-02-29", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z"]) {
      assert.strictEqual(message(`created_at > "${text}"`), expected(text))
    }
    assert.deepStrictEqual(ok(`created_at > "2028-02-29"`), cmp(field("created_at"), ">", "2028-02-29T00:00:00.000Z"))
    assert.deepStrictEqual(ok(`created_at > "0000-02-29"`), cmp(field("created_at"), ">", "0000-02-29T00:00:00.000Z"))
    assert.deepStrictEqual(ok(`created_at > "2026-12-31T23:59:59Z"`), cmp(field("created_at"), ">", "2026-12-31T23:59:59.000Z"))
  })

  it("reports the column, what it found and what it expected", () => {
    assert.strictEqual(message(`metadata.acc >= `), `column 17: expected a value after ">=", found end of input`)
    assert.strictEqual(message(`metdata.x = 1`), `column 1: expected a field, found "metdata"; did you mean "metadata"?`)
    assert.strictEqual(message(`nmae = "a"`), `column 1: expected a field, found "nmae"; did you mean "name"?`)
    assert.strictEqual(message(`name "a"`), `column 6: expected an operator (=, !=, <, <=, >, >=, in, contains, exists) after "name", found the string "a"`)
    assert.strictEqual(message(`(name = "a"`), `column 12: expected "and", "or" or ")" to close the "(" at column 1, found end of input`)
    assert.strictEqual(message(`name = "a" step = 1`), `column 12: expected "and", "or" or end of input, found "step"`)
    assert.strictEqual(message(`tag in ("a" "b")`), `column 13: expected "," or ")" to close the "(" at column 8, found the string "b"`)
    assert.strictEqual(message(`name = "abc`), `column 12: expected a closing " for the string at column 8, found end of input`)
    assert.strictEqual(message(`name = "abc\\`), `column 13: expected a character after the backslash at column 12 and a closing ", found end of input`)
    assert.strictEqual(message(`name = "a\\qb"`), `column 10: expected an escape: \\" \\' \\\\ \\/ \\n \\t \\r \\b \\f or \\uXXXX, found "\\\\q"`)
    assert.strictEqual(message(`name = "😀" @`), `column 12: expected a field, a value, an operator or a parenthesis, found "@"`)
    assert.strictEqual(message(`version = "3"`), `column 11: expected a number after "=" (version holds numbers), found the string "3"`)
    assert.strictEqual(message(`deployable > true`), `column 12: expected =, !=, in or exists after "deployable" (it is true or false), found ">"`)
    assert.strictEqual(message(`tag < "m"`), `column 5: expected =, !=, in, contains or exists after "tag", found "<"`)
    assert.strictEqual(message(`tag = null`), `column 7: expected a string after "=" (to find versions without tags, write not tag exists), found "null"`)
    assert.strictEqual(message(`step contains "1"`), `column 6: expected a comparison, in or exists after "step" (contains is for text and tags), found "contains"`)
    assert.strictEqual(message(`metadata.x < true`), `column 14: expected a number or a string after "<", found "true"`)
    assert.strictEqual(message(`metadata.x >= null`), `column 15: expected a number or a string after ">=" (null has no order), found "null"`)
    assert.strictEqual(message(`metadata.x contains 1`), `column 21: expected a string after "contains", found the number 1`)
    assert.strictEqual(message(`created_at > "yesterday"`), `column 14: expected a date after ">", such as "2026-01-01" or "2026-01-01T12:00:00Z", found the string "yesterday"`)
    assert.strictEqual(message(`metadata = 1`), `column 10: expected "." and a key after "metadata", found "="; e.g. metadata.accuracy`)
    assert.strictEqual(message(`environment.pip_packages exists`), `column 1: expected a field, found "environment.pip_packages"; did you mean "environment.python_version"?`)
    assert.strictEqual(message(`name.x = 1`), `column 5: expected an operator (=, !=, <, <=, >, >=, in, contains, exists) after "name", found "."; name has no sub-fields`)
    assert.strictEqual(message(``), `column 1: expected a field, "(" or "not", found end of input`)
    assert.strictEqual(message(`and`), `column 1: expected a field, "(" or "not", found "and"`)
  })

  it("refuses a NUL character, written or escaped", () => {
    assert.strictEqual(message(`name = "a\u0000"`), `column 10: expected a filter that must not contain a NUL character (U+0000), found U+0000`)
    assert.strictEqual(message(`name = "a\\u0000"`), `column 10: expected a string that must not contain a NUL character (U+0000), found \\u0000`)
  })

  it("limits the length and the nesting", () => {
    assert.strictEqual(message(`name = "${"a".repeat(5000)}"`), `column 4097: expected at most 4096 characters, found 5009 characters`)
    assert.strictEqual(message(`${"(".repeat(65)}name = "a"${")".repeat(65)}`), `column 65: expected at most 64 nested parentheses or "not", found "("`)
  })

  it("draws a caret under the column", () => {
    assert.strictEqual(Filter.caret(`name >= `, 9), `name >= \n        ^`)
  })
})
