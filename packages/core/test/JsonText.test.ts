import { assert, describe, it } from "@effect/vitest"
import { JsonText } from "@mreg/core"
import { Either, FastCheck } from "effect"

/** The error of a text as `[message, line, column]`, or `undefined` when it parses. */
const problem = (text: string, maxDepth?: number) => {
  const result = JsonText.parse(text, { maxDepth })
  if (Either.isRight(result)) return undefined
  return [result.left.message, result.left.line, result.left.column]
}

const accepts = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe("JsonText.parse", () => {
  it("parses one JSON value, skipping a byte order mark", () => {
    assert.deepStrictEqual(JsonText.parse(" {\"a\": [1, 2.5e3, -0, null, true, \"\\u00e9\\n\"]} \n"), Either.right({ a: [1, 2500, -0, null, true, "é\n"] }))
    assert.deepStrictEqual(JsonText.parse("\ufeff[1]"), Either.right([1]))
  })

  it("reports NaN and Infinity at their place", () => {
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
    const cases: ReadonlyArray<readonly [string, string, number, number]> = [
      ["{'a': 1}", "unexpected \"'\": expected a double-quoted property name", 1, 2],
      ["{\"a\": 'x'}", "unexpected \"'\": JSON strings use double quotes", 1, 7],
      ["[1,]", "unexpected \"]\": expected a value after \",\"", 1, 4],
      ["{\"a\": 1,\n}", "unexpected \"}\": expected a double-quoted property name after \",\"", 2, 1],
      ["{\"a\" 1}", "unexpected \"1\": expected \":\" after the property name", 1, 6],
      ["{\"a\": 1 \"b\": 2}", "unexpected \"\\\"\": expected \",\" or \"}\"", 1, 9],
      ["{\"a\": [1, 2}", "unexpected \"}\": expected \",\" or \"]\"", 1, 12],
      ["\"\\x\"", "invalid escape in a string: \\x (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", 1, 2],
      ["\"\\u12g4\"", "invalid \\u escape in a string: expected 4 hex digits", 1, 2],
      ["\"a\tb\"", "unexpected control character U+0009 in a string: escape it (\\n, \\t, \\u00XX)", 1, 3],
      ["{} {}", "unexpected \"{\": expected the end of the input after the JSON value", 1, 4],
      ["01", "unexpected \"1\": expected the end of the input after the JSON value", 1, 2],
      ["{\"a\": \"open", "unterminated string: expected a closing \"", 1, 12],
      ["{\"a\": 1", "unexpected end of input: expected \",\" or \"}\"", 1, 8],
      ["", "unexpected end of input: expected a JSON value", 1, 1],
      ["\ufeff{,}", "unexpected \",\": expected a double-quoted property name", 1, 3]
    ]
    for (const [text, reason, line, column] of cases) {
      assert.deepStrictEqual(problem(text), [`invalid JSON at line ${line}, column ${column}: ${reason}`, line, column], text)
    }
    const error = JsonText.findError("[1,\n x]")
    assert.deepStrictEqual(
      error && { reason: error.reason, offset: error.offset, line: error.line, column: error.column },
      { reason: "unexpected \"x\": expected a JSON value", offset: 5, line: 2, column: 2 }
    )
  })

  it("refuses nesting deeper than maxDepth at the bracket that goes too deep, without a stack overflow", () => {
    const ok = "[".repeat(JsonText.DEFAULT_MAX_DEPTH) + "]".repeat(JsonText.DEFAULT_MAX_DEPTH)
    assert.isTrue(Either.isRight(JsonText.parse(ok)))
    const deep = "[".repeat(100_000) + "]".repeat(100_000)
    const limit = JsonText.DEFAULT_MAX_DEPTH
    assert.deepStrictEqual(problem(deep), [`invalid JSON at line 1, column ${limit + 1}: nested deeper than ${limit} levels`, 1, limit + 1])
    assert.deepStrictEqual(problem("{\"a\": {\"b\": []}}", 2), ["invalid JSON at line 1, column 13: nested deeper than 2 levels", 1, 13])
    assert.isTrue(Either.isRight(JsonText.parse(deep, { maxDepth: 100_000 })))
  })

  it("agrees with JSON.parse on valid and invalid texts", () => {
    FastCheck.assert(FastCheck.property(FastCheck.json({ depthSize: "small" }), (text) => Either.isRight(JsonText.parse(text, { maxDepth: 1000 }))))
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(
          FastCheck.string({ unit: FastCheck.constantFrom("{", "}", "[", "]", ",", ":", "\"", "1", "-", ".", "e", " ", "\n", "\\", "n", "u", "t") }),
          FastCheck.json().map((text) => text.slice(0, Math.max(0, text.length - 1)))
        ),
        (text) => Either.isRight(JsonText.parse(text, { maxDepth: 1000 })) === accepts(text)
      ),
      { numRuns: 2000 }
    )
  })
})

describe("JsonText.firstInvalidUtf8", () => {
  const bytes = (text: string) => new TextEncoder().encode(text)

  it("finds the first byte that is not UTF-8", () => {
    assert.strictEqual(JsonText.firstInvalidUtf8(bytes("{\"é\": \"😀\"}")), -1)
    assert.strictEqual(JsonText.firstInvalidUtf8(new Uint8Array([...bytes("{\n\"a\": \""), 0xff])), 8)
    assert.strictEqual(JsonText.firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), 0, "surrogate")
    assert.strictEqual(JsonText.firstInvalidUtf8(new Uint8Array([0x41, 0xc0, 0x80])), 1, "overlong")
    assert.strictEqual(JsonText.firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), 0, "above U+10FFFF")
    assert.strictEqual(JsonText.firstInvalidUtf8(new Uint8Array([0xe2, 0x82])), 0, "truncated")
  })

  it("agrees with a fatal TextDecoder", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true })
    FastCheck.assert(
      FastCheck.property(FastCheck.uint8Array({ maxLength: 12 }), (input) => {
        let valid = true
        try {
          decoder.decode(input)
        } catch {
          valid = false
        }
        return (JsonText.firstInvalidUtf8(input) === -1) === valid
      }),
      { numRuns: 3000 }
    )
  })

  it("position counts lines at \\n and columns from 1", () => {
    assert.deepStrictEqual(JsonText.position("ab\ncd\nef", 4), { line: 2, column: 2 })
    assert.deepStrictEqual(JsonText.position("ab", 0), { line: 1, column: 1 })
  })
})
