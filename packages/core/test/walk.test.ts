import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc, type Schema } from "effect"
import { walk } from "../src/internal/walk.js"

const jsonBytes = (value: unknown) => walk(value, "exact", [])

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

describe("walk", () => {
  it("bounds the UTF-8 bytes of JSON.stringify from above without looking into strings and numbers", () => {
    fc.assert(fc.property(json, (value) => JSON.stringify(value).includes("\\u0000") || walk(value, "bound", []) >= bytes(value)), { numRuns: 2000 })
    assert.strictEqual(walk("\u0001\ud800", "bound", []), bytes("\u0001\ud800"))
    assert.strictEqual(walk(-0.0000012345678901234567, "bound", []), bytes(-0.0000012345678901234567))
  })

  it("counts exactly: the UTF-8 bytes of JSON.stringify, or -1 when a string or key holds a NUL", () => {
    const expected = (value: unknown) => (JSON.stringify(value).includes("\\u0000") ? -1 : bytes(value))
    fc.assert(fc.property(json, (value) => jsonBytes(value) === expected(value)), { numRuns: 2000 })
  })

  it("counts the widest content exactly: escapes, the longest number, empty containers", () => {
    assert.strictEqual(jsonBytes("\u0001\ud800"), bytes("\u0001\ud800"))
    assert.strictEqual(jsonBytes(-0.0000012345678901234567), bytes(-0.0000012345678901234567))
    assert.strictEqual(jsonBytes([]), 2)
    assert.strictEqual(jsonBytes({}), 2)
    assert.strictEqual(jsonBytes(false), 5)
  })

  it("counts numbers as String(n) writes them, without formatting most of them", () => {
    const numbers = [0, -0, 7, -42, 1e20, 1e21, 2 ** 53 + 2, 0.1, 0.1 + 0.2, 1 / 3, 2e-5, 1e-6, 1e-7, 123.456, -5e-324, 1.7976931348623157e308]
    for (const n of numbers) assert.strictEqual(jsonBytes(n), String(n).length, String(n))
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => jsonBytes(n) === String(n).length), { numRuns: 5000 })
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 20 }), (m, d) => jsonBytes(m / 10 ** d) === String(m / 10 ** d).length), { numRuns: 5000 })
  })

  it("gives Infinity for a toJSON method, and -1 for a value that is not JSON or holds a NUL", () => {
    assert.strictEqual(jsonBytes({ a: Object.defineProperty({}, "toJSON", { value: () => "x" }) }), Infinity)
    assert.strictEqual(jsonBytes([{ a: Number.NaN }]), -1)
    assert.strictEqual(jsonBytes({ "k\u0000": 1 }), -1)
    assert.strictEqual(jsonBytes(new Date(0)), -1)
  })

  it("walks any depth without overflowing the stack, and finds each problem there at its path", () => {
    let deep: unknown = "a"
    for (let i = 0; i < 100_000; i++) deep = i % 2 === 0 ? [deep] : { k: deep }
    assert.strictEqual(jsonBytes(deep), bytes("a") + 50_000 * 2 + 50_000 * 6)
    const issues: Array<Schema.FilterIssue> = []
    assert.isAtLeast(walk([deep, Number.NaN], "nul", issues), 0)
    assert.strictEqual(walk([deep, Number.NaN], "exact", issues), -1)
    assert.deepStrictEqual(issues, [{ path: [1], message: "must be a finite number: JSON has no NaN or Infinity (received NaN)" }])
  })
})
