import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { jsonBytesBound } from "../src/internal/jsonSize.js"

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length

// Strings that serialize to the most bytes per code unit: control characters, quotes, backslashes, lone
// surrogates, non-ASCII (2 and 3 bytes), astral characters (4 bytes for 2 code units).
const text = fc.array(
  fc.oneof(
    fc.constantFrom("\u0000", "\u0001", "\u001f", "\n", "\"", "\\", "\ud800", "\udfff", "é", "€", "😀", "a", "\u2028"),
    fc.fullUnicodeString({ maxLength: 4 })
  ),
  { maxLength: 12 }
).map((parts) => parts.join(""))
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0.0000012345678901234567, -1.7976931348623157e308, -5e-324, -0, 2 ** 53 + 2, -123456789012345680000)
)
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: "small" },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("json"), { maxLength: 5 }),
    fc.dictionary(text, tie("json"), { maxKeys: 5 })
  )
}))

describe("jsonBytesBound", () => {
  it("is never below the UTF-8 bytes of JSON.stringify", () => {
    fc.assert(fc.property(json, (value) => jsonBytesBound(value, Infinity) >= bytes(value)), { numRuns: 2000 })
  })

  it("is exact for the widest content: escapes, the longest number, empty containers", () => {
    assert.strictEqual(jsonBytesBound("\u0001\ud800", Infinity), bytes("\u0001\ud800"))
    assert.strictEqual(jsonBytesBound(-0.0000012345678901234567, Infinity), bytes(-0.0000012345678901234567))
    assert.strictEqual(jsonBytesBound([], Infinity), 2)
    assert.strictEqual(jsonBytesBound({}, Infinity), 2)
    assert.strictEqual(jsonBytesBound(false, Infinity), 5)
  })

  it("stops past the limit, and gives Infinity for a toJSON method", () => {
    assert.isAbove(jsonBytesBound(Array.from({ length: 1000 }, () => "abc"), 100), 100)
    assert.strictEqual(jsonBytesBound({ a: Object.defineProperty({}, "toJSON", { value: () => "x" }) }, 1000), Infinity)
    assert.strictEqual(jsonBytesBound(new Date(0), 1000), Infinity)
  })
})
