import { assert, describe, it } from "@effect/vitest"
import { Metadata } from "@mreg/core"
import { Either, Schema } from "effect"
import { chars, decodeOk, minimal, problems } from "./utils.js"

const withMetadata = (metadata: unknown) => minimal({ metadata })
const at = (...path: Array<string | number>) => ["body", "manifest", "metadata", ...path]
const NOT_FINITE = (shown: string) => `must be a finite number: JSON has no NaN or Infinity (received ${shown})`

/** `{"k": value}` serializes to value's length + 8 bytes: `{"k":"` and `"}`. */
const sized = (bytes: number, char = "a") => ({ k: char.repeat(bytes - 8) })

describe("Metadata", () => {
  it("MAX_METADATA_BYTES is 64 KiB", () => {
    assert.strictEqual(Metadata.MAX_METADATA_BYTES, 65536)
  })

  it("keeps any JSON values at any depth", () => {
    const metadata = {
      s: "x",
      n: -1.5e-7,
      b: false,
      z: null,
      a: [1, "two", [null], { deep: { deeper: [true] } }],
      o: {}
    }
    assert.deepStrictEqual(decodeOk(withMetadata(metadata)).metadata, metadata)
  })

  it("C6: {language: null} is valid and kept as null", () => {
    const metadata = decodeOk(withMetadata({ language: null })).metadata
    assert.deepStrictEqual(metadata, { language: null })
    assert.isTrue(Object.hasOwn(metadata, "language"))
    assert.strictEqual(metadata["language"], null)
  })

  describe("size limit (serialized UTF-8 bytes)", () => {
    it("accepts exactly 65536 bytes", () => {
      const metadata = sized(65536)
      assert.strictEqual(JSON.stringify(metadata).length, 65536)
      assert.deepStrictEqual(decodeOk(withMetadata(metadata)).metadata, metadata)
    })

    it("rejects 65537 bytes", () => {
      assert.deepStrictEqual(problems(withMetadata(sized(65537))), [
        {
          loc: at(),
          msg: "must serialize to at most 65536 bytes of JSON (64 KiB); received 65537 bytes",
          type: "value_error"
        }
      ])
    })

    it("counts UTF-8 bytes, not characters", () => {
      // "é" is one character and two bytes: 32764 of them are 65528 bytes, 32764 characters.
      const ok = { k: "é".repeat(32764) }
      assert.strictEqual(new TextEncoder().encode(JSON.stringify(ok)).length, 65536)
      assert.deepStrictEqual(decodeOk(withMetadata(ok)).metadata, ok)
      const tooLarge = { k: `${"é".repeat(32764)}a` }
      assert.strictEqual(JSON.stringify(tooLarge).length, 32773)
      assert.deepStrictEqual(problems(withMetadata(tooLarge)), [
        {
          loc: at(),
          msg: "must serialize to at most 65536 bytes of JSON (64 KiB); received 65537 bytes",
          type: "value_error"
        }
      ])
    })
  })

  describe("size limit where serializing writes the most per character", () => {
    // What the check may skip serializing for must still be measured exactly: escapes (6 bytes for one character),
    // the longest numbers (25 characters), many small values, right at the limit.
    /** `{"v": value, "p": "aaa…"}` padded to exactly `bytes` bytes of JSON (all ASCII). */
    const padded = (value: Metadata.JsonValue, bytes: number): Metadata.JsonObject => {
      const bare = JSON.stringify({ v: value, p: "" }).length
      return { v: value, p: "a".repeat(bytes - bare) }
    }
    const cases: ReadonlyArray<readonly [string, Metadata.JsonValue]> = [
      ["control characters", "\u0001".repeat(10_000)],
      ["lone surrogates", "\ud800".repeat(10_000)],
      ["quotes and backslashes", "\"\\".repeat(10_000)],
      ["the longest numbers", Array.from({ length: 2_000 }, () => -0.0000012345678901234567)],
      ["many empty arrays and objects", Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? [] : {}))],
      ["escaped keys", Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`\u0002${i}`, [true, null]]))]
    ]
    for (const [name, value] of cases) {
      it(`${name}: accepts 65536 bytes, rejects 65537`, () => {
        const ok = padded(value, 65536)
        assert.strictEqual(new TextEncoder().encode(JSON.stringify(ok)).length, 65536)
        assert.deepStrictEqual(decodeOk(withMetadata(ok)).metadata, ok)
        assert.deepStrictEqual(problems(withMetadata(padded(value, 65537))), [
          {
            loc: at(),
            msg: "must serialize to at most 65536 bytes of JSON (64 KiB); received 65537 bytes",
            type: "value_error"
          }
        ])
      })
    }

    it("measures what a toJSON method writes, even one that is not enumerable", () => {
      const metadata = Object.defineProperty({ a: 1 }, "toJSON", { value: () => ({ k: "a".repeat(70_000) }) })
      assert.deepStrictEqual(problems(withMetadata(metadata)), [
        {
          loc: at(),
          msg: "must serialize to at most 65536 bytes of JSON (64 KiB); received 70008 bytes",
          type: "value_error"
        }
      ])
    })
  })

  describe("must be an object", () => {
    for (const [value, shown] of [[[], "[]"], [[1, 2], "[1,2]"], [null, "null"], ["x", `"x"`], [3, "3"]] as const) {
      it(`rejects ${shown}`, () => {
        assert.deepStrictEqual(problems(withMetadata(value)), [
          { loc: at(), msg: `must be a JSON object (received ${shown})`, type: "type_error" }
        ])
      })
    }

    it("rejects a class instance such as a Date", () => {
      assert.deepStrictEqual(problems(withMetadata(new Date(0))), [
        { loc: at(), msg: `must be a JSON object (received "1970-01-01T00:00:00.000Z")`, type: "type_error" }
      ])
    })

    it("accepts an object without prototype", () => {
      const metadata = Object.assign(Object.create(null), { a: 1 })
      assert.deepStrictEqual({ ...decodeOk(withMetadata(metadata)).metadata }, { a: 1 })
    })
  })

  describe("non-JSON values at their exact path", () => {
    it("C8: NaN at metadata.loss", () => {
      assert.deepStrictEqual(problems(withMetadata({ loss: Number.NaN })), [
        { loc: at("loss"), msg: NOT_FINITE("NaN"), type: "value_error" }
      ])
    })

    it("Infinity and -Infinity deep inside arrays and objects, every one", () => {
      const metadata = { ok: 1, a: { b: [0, Number.POSITIVE_INFINITY] }, c: [{ d: Number.NEGATIVE_INFINITY }] }
      assert.deepStrictEqual(problems(withMetadata(metadata)), [
        { loc: at("a", "b", 1), msg: NOT_FINITE("Infinity"), type: "value_error" },
        { loc: at("c", 0, "d"), msg: NOT_FINITE("-Infinity"), type: "value_error" }
      ])
    })

    it("undefined, functions, bigints, dates and class instances", () => {
      class Point {
        constructor(readonly x: number) {}
      }
      const metadata = { u: undefined, f: () => 1, big: 1n, d: new Date(0), p: new Point(1), m: new Map() }
      assert.deepStrictEqual(problems(withMetadata(metadata)), [
        { loc: at("u"), msg: "must be a JSON value (received undefined)", type: "value_error" },
        { loc: at("f"), msg: "must be a JSON value (received function)", type: "value_error" },
        { loc: at("big"), msg: "must be a JSON value (received bigint)", type: "value_error" },
        { loc: at("d"), msg: "must be a JSON value; received an instance of Date", type: "value_error" },
        { loc: at("p"), msg: "must be a JSON value; received an instance of Point", type: "value_error" },
        { loc: at("m"), msg: "must be a JSON value; received an instance of Map", type: "value_error" }
      ])
    })

    it("a cycle, at the place that closes it", () => {
      const node: Record<string, unknown> = { name: "n" }
      node["self"] = node
      assert.deepStrictEqual(problems(withMetadata({ graph: node })), [
        { loc: at("graph", "self"), msg: "must not refer to itself: JSON cannot hold a cycle", type: "value_error" }
      ])
    })

    it("a shared (acyclic) object is not a cycle", () => {
      const shared = { x: 1 }
      assert.deepStrictEqual(decodeOk(withMetadata({ a: shared, b: [shared, shared] })).metadata, {
        a: { x: 1 },
        b: [{ x: 1 }, { x: 1 }]
      })
    })
  })

  describe("__proto__ keys from JSON.parse", () => {
    // JSON.parse makes "__proto__" an own key; it must be kept, not dropped nor turned into a prototype.
    for (const raw of [`{"__proto__": 5, "b": 2}`, `{"__proto__": null, "b": 2}`, `{"__proto__": {"a": 1}}`]) {
      it(`keeps ${raw}`, () => {
        const input = JSON.parse(raw)
        const metadata = decodeOk(withMetadata(input)).metadata
        assert.deepStrictEqual(Object.keys(metadata), Object.keys(input))
        assert.strictEqual(JSON.stringify(metadata), JSON.stringify(input))
        assert.strictEqual(Object.getPrototypeOf(metadata), Object.prototype)
      })
    }
  })

  describe("jsonIssues", () => {
    it("returns nothing for JSON and one issue per non-JSON place, under the given path", () => {
      assert.deepStrictEqual(Metadata.jsonIssues({ a: [1, { b: "c" }], d: null }), [])
      assert.deepStrictEqual(Metadata.jsonIssues({ a: [Number.NaN] }, ["metadata"]), [
        { path: ["metadata", "a", 0], message: NOT_FINITE("NaN") }
      ])
      assert.deepStrictEqual(Metadata.jsonIssues(Symbol.for("s")), [
        { path: [], message: "must be a JSON value (received symbol)" }
      ])
    })
  })

  describe("jsonIssues at depth", () => {
    /** `value` nested `depth` levels down, alternating arrays and objects: `[{"k": [{"k": … value}]}]`. */
    const nest = (depth: number, value: unknown): unknown => {
      let out = value
      for (let i = depth - 1; i >= 0; i--) out = i % 2 === 0 ? [out] : { k: out }
      return out
    }
    const pathTo = (depth: number) => Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? 0 : "k"))
    for (const depth of [63, 64, 65, 200]) {
      it(`${depth} levels: nothing for JSON, each problem at its path`, () => {
        assert.deepStrictEqual(Metadata.jsonIssues(nest(depth, 1)), [])
        assert.deepStrictEqual(Metadata.jsonIssues(nest(depth, [Number.NaN, "a\u0000"])), [
          { path: [...pathTo(depth), 0], message: NOT_FINITE("NaN") },
          { path: [...pathTo(depth), 1], message: `must not contain a NUL character (U+0000) (received "a\\u0000")` }
        ])
        assert.deepStrictEqual(Metadata.jsonIssues(nest(depth, { "k\u0000": new Date(0) })), [
          { path: [...pathTo(depth), "k\u0000"], message: `must not contain a NUL character (U+0000) (received "k\\u0000")` }
        ])
      })
    }

    it("metadata nests at most 64 levels, as JSON text may: 63 below the metadata object decode, 64 are refused there", () => {
      const deep = nest(63, 1)
      assert.strictEqual(decodeOk(withMetadata({ deep })).metadata["deep"], deep)
      assert.deepStrictEqual(problems(withMetadata({ deep: nest(64, 1) })), [
        { loc: at("deep", ...pathTo(63)), msg: "must nest at most 64 levels of arrays and objects (received an object at level 65)", type: "value_error" }
      ])
    })

    it("10,000 levels (an object from code; serializing it would overflow the stack): refused at level 65, no deeper", () => {
      assert.deepStrictEqual(problems(withMetadata({ deep: nest(10_000, Number.NaN) })), [
        { loc: at("deep", ...pathTo(63)), msg: "must nest at most 64 levels of arrays and objects (received an object at level 65)", type: "value_error" }
      ])
    })

    it("a cycle deeper than 64 levels, at the place that closes it", () => {
      const inner: Record<string, unknown> = {}
      const outer = nest(70, inner)
      inner["back"] = outer
      assert.deepStrictEqual(Metadata.jsonIssues(outer), [
        { path: [...pathTo(70), "back"], message: "must not refer to itself: JSON cannot hold a cycle" }
      ])
    })
  })

  describe("JsonObject", () => {
    it("decodes a JSON object unchanged and refuses a string", () => {
      const decode = Schema.decodeUnknownEither(Metadata.JsonObject)
      assert.deepStrictEqual(decode({ name: "x", shape: [1, 3] }), Either.right({ name: "x", shape: [1, 3] }))
      assert.isTrue(Either.isLeft(decode("x")))
    })

    it("has no size limit of its own", () => {
      const big = { k: chars(70_000) }
      assert.deepStrictEqual(Schema.decodeUnknownEither(Metadata.JsonObject)(big), Either.right(big))
      assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Metadata.Metadata)(big)))
    })
  })
})
