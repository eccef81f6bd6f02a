/**
 * Property: for random filter expressions over random model versions, SQLite, PostgreSQL and `Filter.evaluate`
 * select the same versions (and the same models: those with a matching live version). Expressions are generated as
 * ASTs, printed as text and parsed back, so the printer's text is also checked to mean the generated expression.
 */
import { assert, describe, it } from "@effect/vitest"
import { Filter, Model, ModelManifest, ModelVersion, ModelVersions } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import { base as sharedBase } from "@mreg/test-fixtures"
import { Effect, Either, FastCheck as fc, ManagedRuntime, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { afterAll } from "vitest"

const url = process.env.MREG_TEST_DATABASE_URL

const KEYS = ["a", "b", "c.d", "é k", "q\"\\"]
const STRINGS = ["", "a", "A", "a%", "_b", "50%_off", "é", "😀", "z\"q", "back\\", "10", "ab", "b"]
const NUMBERS = [-3, -1.25, 0, 0.5, 1, 2, 2.5, 10, 1e21]
const TAGS = ["prod", "Prod", "p_1", "x.y", "nlp"]

const jsonValue = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...STRINGS),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ x: 1 }),
  fc.constant([1])
)
const literal: fc.Arbitrary<Filter.Literal> = fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS), fc.boolean(), fc.constant(null))

/** A version to create: its model, metadata, optional fields and tags. */
const versionArb = fc.record({
  name: fc.constantFrom("m1", "m2", "M_3"),
  metadata: fc.dictionary(fc.constantFrom(...KEYS), jsonValue, { maxKeys: 4 }),
  description: fc.option(fc.constantFrom(...STRINGS.filter((s) => s !== "")), { nil: undefined }),
  run_id: fc.option(fc.constantFrom("run-1", "run-2"), { nil: undefined }),
  step: fc.integer({ min: 0, max: 3 }),
  framework: fc.option(fc.constantFrom("transformers", "sklearn"), { nil: undefined }),
  local: fc.boolean(),
  python: fc.option(fc.constantFrom("3.10", "3.11"), { nil: undefined }),
  tags: fc.subarray(TAGS, { maxLength: 2 })
})
type VersionSpec = typeof versionArb extends fc.Arbitrary<infer A> ? A : never

const field = (name: Filter.FieldName, ...path: Array<string>): Filter.Field => ({ name, path })

/** A predicate whose literal suits its field (the parser's type rules). */
const atom: fc.Arbitrary<Filter.Expression> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom<Filter.Comparison>("=", "!="), value: literal })
    .map(({ key, op, value }): Filter.Expression => ({ _tag: "Compare", field: field("metadata", key), op, value })),
  fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom<Filter.Comparison>("<", "<=", ">", ">="), value: fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS)) })
    .map(({ key, op, value }): Filter.Expression => ({ _tag: "Compare", field: field("metadata", key), op, value })),
  fc.record({ key: fc.constantFrom(...KEYS), value: fc.constantFrom(...STRINGS) })
    .map(({ key, value }): Filter.Expression => ({ _tag: "Contains", field: field("metadata", key), value })),
  fc.record({ key: fc.constantFrom(...KEYS), values: fc.array(literal, { minLength: 1, maxLength: 3 }) })
    .map(({ key, values }): Filter.Expression => ({ _tag: "In", field: field("metadata", key), values })),
  fc.constantFrom(...KEYS).map((key): Filter.Expression => ({ _tag: "Exists", field: field("metadata", key) })),
  fc.record({ op: fc.constantFrom<Filter.Comparison>("=", "!="), value: fc.constantFrom(...TAGS, "pro") })
    .map(({ op, value }): Filter.Expression => ({ _tag: "Compare", field: field("tag"), op, value })),
  fc.constantFrom("ro", "%", "_", "P", ".").map((value): Filter.Expression => ({ _tag: "Contains", field: field("tag"), value })),
  fc.constant<Filter.Expression>({ _tag: "Exists", field: field("tag") }),
  fc.record({ name: fc.constantFrom<Filter.FieldName>("version", "step"), op: fc.constantFrom<Filter.Comparison>("=", "!=", "<", "<=", ">", ">="), value: fc.constantFrom(0, 1, 1.5, 2, 3) })
    .map(({ name, op, value }): Filter.Expression => ({ _tag: "Compare", field: field(name), op, value })),
  fc.record({ name: fc.constantFrom<Filter.FieldName>("name", "description", "run_id", "version_alias"), op: fc.constantFrom<Filter.Comparison>("=", "!=", "<", ">="), value: fc.constantFrom("m1", "M_3", "a", "run-1", "é", "") })
    .map(({ name, op, value }): Filter.Expression => ({ _tag: "Compare", field: field(name), op, value })),
  fc.record({ name: fc.constantFrom<Filter.FieldName>("description", "run_id", "version_alias"), op: fc.constantFrom<Filter.Comparison>("=", "!=") })
    .map(({ name, op }): Filter.Expression => ({ _tag: "Compare", field: field(name), op, value: null })),
  fc.record({ name: fc.constantFrom<Filter.FieldName>("description", "name"), value: fc.constantFrom("a", "%", "_", "é", "1") })
    .map(({ name, value }): Filter.Expression => ({ _tag: "Contains", field: field(name), value })),
  fc.record({ op: fc.constantFrom<Filter.Comparison>("=", "!="), value: fc.boolean() })
    .map(({ op, value }): Filter.Expression => ({ _tag: "Compare", field: field("deployable"), op, value })),
  fc.record({ op: fc.constantFrom<Filter.Comparison>("=", "!=", ">"), value: fc.constantFrom("transformers", "sklearn", "s") })
    .map(({ op, value }): Filter.Expression => ({ _tag: "Compare", field: field("framework", "type"), op, value })),
  fc.record({ op: fc.constantFrom<Filter.Comparison>("=", "<", ">="), value: fc.constantFrom("3.10", "3.11", "3.2") })
    .map(({ op, value }): Filter.Expression => ({ _tag: "Compare", field: field("environment", "python_version"), op, value })),
  fc.record({ name: fc.constantFrom<Filter.FieldName>("created_at", "updated_at"), op: fc.constantFrom<Filter.Comparison>("<", ">") , value: fc.constantFrom("2000-01-01T00:00:00.000Z", "2999-12-31T00:00:00.000Z") })
    .map(({ name, op, value }): Filter.Expression => ({ _tag: "Compare", field: field(name), op, value }))
)

const expressionArb: fc.Arbitrary<Filter.Expression> = fc.letrec<{ expression: Filter.Expression }>((tie) => ({
  expression: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.record({ left: tie("expression"), right: tie("expression") }).map(({ left, right }): Filter.Expression => ({ _tag: "And", left, right })),
    fc.record({ left: tie("expression"), right: tie("expression") }).map(({ left, right }): Filter.Expression => ({ _tag: "Or", left, right })),
    tie("expression").map((expression): Filter.Expression => ({ _tag: "Not", expression }))
  )
})).expression

const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k))
const value = (v: Filter.Literal) => (typeof v === "string" ? JSON.stringify(v) : String(v))
const printField = (f: Filter.Field) => [f.name, ...f.path.map(key)].join(".")

/** The expression as filter text, every operand parenthesized. */
const print = (e: Filter.Expression): string => {
  switch (e._tag) {
    case "And":
    case "Or":
      return `(${print(e.left)}) ${e._tag.toLowerCase()} (${print(e.right)})`
    case "Not":
      return `not (${print(e.expression)})`
    case "Exists":
      return `${printField(e.field)} exists`
    case "Contains":
      return `${printField(e.field)} contains ${value(e.value)}`
    case "In":
      return `${printField(e.field)} in (${e.values.map(value).join(", ")})`
    case "Compare":
      return `${printField(e.field)} ${e.op} ${value(e.value)}`
  }
}

const manifestOf = (repo: string, spec: VersionSpec) =>
  new ModelManifest.ModelManifest(sharedBase({
    ml_repo: repo,
    name: spec.name,
    metadata: spec.metadata,
    description: spec.description,
    run_id: spec.run_id,
    step: spec.step,
    framework: spec.framework === undefined ? undefined : { type: spec.framework },
    environment: spec.python === undefined ? undefined : { python_version: spec.python },
    ...(spec.local ? { source: { type: "local", file_or_folder: "./m" } } : {})
  }) as ConstructorParameters<typeof ModelManifest.ModelManifest>[0])

/** Creates the versions in a fresh ML repo of the registry; answers the repo. */
const seed = (registry: ModelVersions.Service, repo: string, specs: ReadonlyArray<VersionSpec>) =>
  Effect.forEach(specs, (spec) =>
    Effect.gen(function*() {
      const { modelVersion } = yield* registry.upsert(manifestOf(repo, spec))
      if (spec.tags.length > 0) {
        yield* registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: modelVersion.id, tags: spec.tags, force: true }))
      }
    }), { discard: true })

const label = (version: ModelVersion.ModelVersion) => `${version.manifest.name}:${version.manifest.version}`

/** What one registry answers for a filter: the versions, and the models. */
const answer = (registry: ModelVersions.Service, repo: string, filter: string | undefined) =>
  Effect.all([
    Effect.map(registry.list(new ModelVersions.ListQuery({ ml_repo: repo, filter, limit: 1000 })), (page) => page.data),
    Effect.map(registry.listModels(new Model.ListQuery({ ml_repo: repo, filter, limit: 1000 })), (page) => page.data.map((model) => model.name))
  ])

if (url === undefined || url === "") {
  describe("filter property", () => {
    it("needs MREG_TEST_DATABASE_URL (pnpm test starts a throwaway PostgreSQL and sets it)", () => {
      assert.fail("MREG_TEST_DATABASE_URL is not set")
    })
  })
} else {
  const sqlite = ManagedRuntime.make(ModelVersionsSql.layerSqlite({ filename: ":memory:" }))
  const pg = ManagedRuntime.make(ModelVersionsSql.layerPg({ url: Redacted.make(url), tenant: "pg" }))
  afterAll(() => Promise.all([sqlite.dispose(), pg.dispose()]))
  const onBoth = <A, E>(effect: (registry: ModelVersions.Service) => Effect.Effect<A, E>) =>
    Promise.all([sqlite, pg].map((runtime) => runtime.runPromise(Effect.flatMap(ModelVersions.ModelVersions, effect))))

  describe("filter property", () => {
    it("SQLite = PostgreSQL = Filter.evaluate, for versions and models", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(versionArb, { minLength: 1, maxLength: 8 }), fc.array(expressionArb, { minLength: 1, maxLength: 12 }), async (specs, expressions) => {
          const repo = `prop-${randomUUID().slice(0, 8)}`
          await onBoth((registry) => seed(registry, repo, specs))
          const [[allSqlite], [allPg]] = await onBoth((registry) => answer(registry, repo, undefined))
          for (const expression of expressions) {
            const text = print(expression)
            const parsed = Filter.parse(text)
            assert.isTrue(Either.isRight(parsed), `${text} parses`)
            assert.deepStrictEqual(Either.getOrThrow(parsed), expression, text)
            const [[sqliteVersions, sqliteModels], [pgVersions, pgModels]] = await onBoth((registry) => answer(registry, repo, text))
            const expected = allSqlite!.filter((version) => Filter.evaluate(expression, version))
            const expectedPg = allPg!.filter((version) => Filter.evaluate(expression, version))
            assert.deepStrictEqual(sqliteVersions!.map(label), expected.map(label), `SQLite: ${text}`)
            assert.deepStrictEqual(pgVersions!.map(label), expectedPg.map(label), `PostgreSQL: ${text}`)
            assert.deepStrictEqual(pgVersions!.map(label), sqliteVersions!.map(label), `SQLite = PostgreSQL: ${text}`)
            assert.deepStrictEqual(sqliteModels, [...new Set(expected.map((version) => version.manifest.name))], `models: ${text}`)
            assert.deepStrictEqual(pgModels, sqliteModels, `models, SQLite = PostgreSQL: ${text}`)
          }
        }),
        { numRuns: 30 }
      )
    }, 300_000)
  })
}
