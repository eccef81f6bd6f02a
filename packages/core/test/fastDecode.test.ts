import { assert, describe, it } from "@effect/vitest"
import { ModelManifest, Validation } from "@mreg/core"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { compile, FAIL } from "../src/internal/fastDecode.js"
import { fixtureNames, readFixture } from "./utils.js"

// The fast path must accept exactly what the schema accepts (with `errors: "all", onExcessProperty: "error"`) and
// produce an equal value; the public decoders must answer exactly as the schema does.
const OPTIONS = { errors: "all", onExcessProperty: "error" } as const
const fast = compile(ModelManifest.ModelManifest.ast, [ModelManifest.ModelManifest])!
const fastRequest = compile(ModelManifest.UpsertRequest.ast, [ModelManifest.ModelManifest, ModelManifest.UpsertRequest])!
const schema = Schema.decodeUnknownEither(ModelManifest.ModelManifest, OPTIONS)
const schemaRequest = Schema.decodeUnknownEither(ModelManifest.UpsertRequest, OPTIONS)
const encode = Schema.encodeSync(ModelManifest.ModelManifest)

const agree = (input: unknown): boolean => {
  const mine = fast(input)
  const theirs = schema(input)
  assert.strictEqual(mine !== FAIL, Either.isRight(theirs), "fast path accepts ⇔ schema accepts")
  if (mine !== FAIL && Either.isRight(theirs)) {
    assert.instanceOf(mine, ModelManifest.ModelManifest)
    assert.deepStrictEqual(mine, theirs.right)
    assert.deepStrictEqual(Object.keys(mine as object), Object.keys(theirs.right))
  }
  const request = { manifest: input }
  const decoded = fastRequest(request)
  const expected = schemaRequest(request)
  assert.strictEqual(decoded !== FAIL, Either.isRight(expected))
  if (decoded !== FAIL && Either.isRight(expected)) {
    assert.instanceOf(decoded, ModelManifest.UpsertRequest)
    assert.deepStrictEqual(decoded, expected.right)
  }
  // The public decoder: the schema's value, or the schema's errors.
  const pub = Validation.decodeManifest(input)
  if (Either.isRight(theirs)) assert.deepStrictEqual(pub, Either.right(theirs.right))
  else assert.deepStrictEqual(pub, Either.left(Validation.fromParseError(theirs.left, ["body", "manifest"])))
  return mine !== FAIL
}

const long = (n: number) => "a".repeat(n)
const cycle = (): unknown => {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  return o
}
const symbolKeyed = () => ({ [Symbol("k")]: 1 })
const hidden = () => Object.defineProperty({}, "secret", { value: 1, enumerable: false })
const protoKey = () => JSON.parse(`{"__proto__": {"x": 1}}`) as unknown

/** Values that probe every rule: boundary lengths, wrong types, non-JSON values, near-miss literals. */
const VALUES: ReadonlyArray<() => unknown> = [
  () => undefined, () => null, () => true, () => 0, () => 1, () => -1, () => 1.5, () => NaN, () => Infinity,
  () => 2 ** 53, () => "", () => "3", () => [], () => ({}), () => [1, 2], () => [{}], () => [{ a: NaN }],
  ...[1, 95, 96, 97, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049].map((n) => () => long(n)),
  () => "v" + long(127), () => "v" + long(128), () => "v1.0.0", () => "1.0", () => "v1..0", () => "-repo", () => "repo-",
  () => "name with space", () => "model-version", () => "model_version",
  // framework / source / environment literals
  () => "transformers", () => "sklearn", () => "xgboost", () => "onnx", () => "keras ", () => "truefoundry",
  () => "external", () => "local", () => "predict", () => "predict_proba", () => "json", () => "joblib",
  () => "sentence-transformers", () => "pytorch",
  // pipeline tags, Hub ids
  () => "text-classification", () => "text-generaton", () => "gpt2", () => "meta-llama/Llama-3.1-8B", () => "./ckpt",
  () => "a--b", () => "a/b/c", () => "-gpt2", () => long(97), () => "C:\\models",
  // pip requirements and Python versions
  () => ["torch==2.4.0+cu121"], () => ["torch==abc"], () => ["--extra-index-url https://x"], () => [""],
  () => ["numpy>=1.26,<2"], () => ["pkg @ https://example.com/p.whl"], () => ["a b"], () => ["x===1.0-foo"],
  () => ["torch==2.*"], () => ["torch>=2.*"], () => [3.1], () => "3.10", () => "3", () => 3.1,
  // metadata and JSON objects
  () => ({ loss: NaN }), () => ({ when: new Date(0) }), () => ({ f: () => 1 }), () => ({ big: long(64 * 1024) }),
  () => ({ big: long(64 * 1024 - 12) }), () => ({ s: "é".repeat(32764) }), () => ({ s: "é".repeat(32765) }),
  () => ({ s: "€".repeat(21843) }), () => ({ s: "é" + long(65527) }), () => ({ s: "é" + long(65526) }), () => ({ nested: { deep: [1, "x", null, { ok: true }] } }),
  () => ({ u: undefined }), cycle, symbolKeyed, hidden, protoKey, () => new Map(), () => ({ n: 10n }),
  // NUL (U+0000) in strings, array items and keys, at depth
  () => "a\u0000", () => ["x\u0000"], () => [{ "k\u0000": 1 }], () => [{ deep: { k: ["v\u0000"] } }], () => ({ "\u0000": "" })
]

const PATHS: ReadonlyArray<ReadonlyArray<string | number>> = [
  ["type"], ["name"], ["ml_repo"], ["version"], ["version_alias"], ["description"], ["metadata"], ["metadata", "k"],
  ["source"], ["source", "type"], ["source", "uri"], ["source", "file_or_folder"], ["framework"], ["framework", "type"],
  ["framework", "library_name"], ["framework", "pipeline_tag"], ["framework", "base_model"],
  ["framework", "model_filepath"], ["framework", "serialization_format"], ["framework", "model_schema"],
  ["framework", "model_schema", "infer_method_name"], ["framework", "model_schema", "inputs"],
  ["framework", "model_schema", "outputs", 0], ["environment"], ["environment", "python_version"],
  ["environment", "pip_packages"], ["environment", "pip_packages", 0], ["step"], ["run_id"]
]
const KEYS = ["version_aliass", "extra", "__proto__", "constructor", "Type"]

type Mutation =
  | { readonly kind: "set"; readonly path: ReadonlyArray<string | number>; readonly value: number }
  | { readonly kind: "delete"; readonly path: ReadonlyArray<string | number> }
  | { readonly kind: "key"; readonly path: ReadonlyArray<string | number>; readonly key: number; readonly value: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), path: fc.constantFrom(...PATHS), value: fc.nat(VALUES.length - 1) }),
  fc.record({ kind: fc.constant("delete" as const), path: fc.constantFrom(...PATHS) }),
  fc.record({
    kind: fc.constant("key" as const),
    path: fc.constantFrom([], ["source"], ["framework"], ["environment"], ["framework", "model_schema"]),
    key: fc.nat(KEYS.length - 1),
    value: fc.nat(VALUES.length - 1)
  })
)

const copy = (value: unknown): Record<string | number, unknown> =>
  Array.isArray(value) ? [...value] as never : typeof value === "object" && value !== null ? { ...value } : {}

/** Applies `m` to `input`, copying the objects on the path (and creating plain ones where the path is missing). */
const apply = (input: unknown, m: Mutation): unknown => {
  const root = copy(input)
  const path = m.path
  let at = root
  for (let i = 0; i < path.length - (m.kind === "key" ? 0 : 1); i++) {
    const next = at[path[i]!]
    at[path[i]!] = typeof next === "object" && next !== null ? copy(next) : typeof path[i + 1] === "number" ? [] : {}
    at = at[path[i]!] as Record<string | number, unknown>
  }
  if (m.kind === "key") {
    Object.defineProperty(at, KEYS[m.key]!, { value: VALUES[m.value]!(), enumerable: true, writable: true, configurable: true })
  } else if (m.kind === "delete") delete at[path[path.length - 1]!]
  else at[path[path.length - 1]!] = VALUES[m.value]!()
  return root
}

describe("fast decode path", () => {
  const valid = Arbitrary.make(ModelManifest.ModelManifest).map(encode)

  it("compiles for ModelManifest and UpsertRequest", () => {
    assert.isFunction(fast)
    assert.isFunction(fastRequest)
  })

  it("accepts every fixture and example with the schema's value", () => {
    for (const name of fixtureNames()) agree(readFixture(name).manifest)
  })

  it("accepts every generated manifest (and its JSON form) with the schema's value", () => {
    fc.assert(
      fc.property(valid, (input) => {
        assert.isTrue(agree(input))
        assert.isTrue(agree(JSON.parse(JSON.stringify(input))))
      }),
      { numRuns: 300 }
    )
  })

  it("agrees with the schema on mutated manifests: unknown keys, wrong types, limits, rules", () => {
    fc.assert(
      fc.property(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }), (input, mutations) => {
        agree(mutations.reduce(apply, input))
      }),
      { numRuns: 1500 }
    )
  })

  it("agrees on inputs that are not objects", () => {
    for (const value of [undefined, null, 1, "x", [], [1], new Date(0), () => 1]) assert.isFalse(agree(value))
  })
})
