import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as JsonBody from "../src/JsonBody.js"

const bytes = (text: string) => new TextEncoder().encode(text)

/** The InvalidJson of a text as `[message, line, column]`. */
const problem = (input: string | Uint8Array) => {
  const result = JsonBody.parse(typeof input === "string" ? bytes(input) : input)
  if (Either.isRight(result)) return undefined
  return [result.left.message, result.left.line, result.left.column]
}

describe("JsonBody.parse", () => {
  it("parses one JSON value", () => {
    assert.deepStrictEqual(JsonBody.parse(bytes(" {\"a\": [1, 2.5e3, -0, null, true, \"\\u00e9\\n\"]} \n")), Either.right({ a: [1, 2500, -0, null, true, "é\n"] }))
  })

  it("C8: NaN and Infinity are reported at their place", () => {
    assert.deepStrictEqual(problem("{\n  \"metadata\": {\"loss\": NaN}\n}"), [
      "invalid JSON at line 2, column 24: unexpected \"N\": NaN is not a JSON value (JSON has no NaN or Infinity)",
      2,
      24
    ])
    assert.deepStrictEqual(problem("[1, -Infinity]"), [
      "invalid JSON at line 1, column 5: unexpected \"-\": -Infinity is not a JSON value (JSON has no NaN or Infinity)",
      1,
      5
    ])
  })

  it("names the problem: quotes, commas, escapes, control characters, trailing text", () => {
    assert.deepStrictEqual(problem("{'a': 1}"), ["invalid JSON at line 1, column 2: unexpected \"'\": expected a double-quoted property name", 1, 2])
    assert.deepStrictEqual(problem("{\"a\": 'x'}"), ["invalid JSON at line 1, column 7: unexpected \"'\": JSON strings use double quotes", 1, 7])
    assert.deepStrictEqual(problem("[1,]"), ["invalid JSON at line 1, column 4: unexpected \"]\": expected a value after \",\"", 1, 4])
    assert.deepStrictEqual(problem("{\"a\" 1}"), ["invalid JSON at line 1, column 6: unexpected \"1\": expected \":\" after the property name", 1, 6])
    assert.deepStrictEqual(problem("{\"a\": 1 \"b\": 2}"), ["invalid JSON at line 1, column 9: unexpected \"\\\"\": expected \",\" or \"}\"", 1, 9])
    assert.deepStrictEqual(problem("\"\\x\""), ["invalid JSON at line 1, column 2: invalid escape in a string: \\x (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", 1, 2])
    assert.deepStrictEqual(problem("\"a\tb\""), ["invalid JSON at line 1, column 3: unexpected control character U+0009 in a string: escape it (\\n, \\t, \\u00XX)", 1, 3])
    assert.deepStrictEqual(problem("{} {}"), ["invalid JSON at line 1, column 4: unexpected \"{\": expected the end of the input after the JSON value", 1, 4])
    assert.deepStrictEqual(problem("01"), ["invalid JSON at line 1, column 2: unexpected \"1\": expected the end of the input after the JSON value", 1, 2])
    assert.deepStrictEqual(problem("{\"a\": \"open"), ["invalid JSON at line 1, column 12: unterminated string: expected a closing \"", 1, 12])
    assert.deepStrictEqual(problem("   "), ["the request body is empty: expected a JSON object", 1, 1])
  })

  it("refuses nesting deeper than MAX_DEPTH, at the bracket that goes too deep", () => {
    const ok = "[".repeat(JsonBody.MAX_DEPTH) + "]".repeat(JsonBody.MAX_DEPTH)
    assert.isTrue(Either.isRight(JsonBody.parse(bytes(ok))))
    const deep = "[".repeat(100_000) + "]".repeat(100_000)
    assert.deepStrictEqual(problem(deep), [`invalid JSON at line 1, column ${JsonBody.MAX_DEPTH + 1}: nested deeper than ${JsonBody.MAX_DEPTH} levels`, 1, JsonBody.MAX_DEPTH + 1])
  })

  it("bytes that are not UTF-8 are reported where they start", () => {
    const input = new Uint8Array([...bytes("{\n\"a\": \""), 0xff, ...bytes("\"}")])
    assert.deepStrictEqual(problem(input), ["invalid JSON at line 2, column 7: the body is not valid UTF-8", 2, 7])
    assert.deepStrictEqual(problem(new Uint8Array([0xed, 0xa0, 0x80])), ["invalid JSON at line 1, column 1: the body is not valid UTF-8", 1, 1])
  })
})
