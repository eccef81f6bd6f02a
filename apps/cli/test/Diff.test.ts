/**
 * `Diff`: predicting an upsert against the embedded registry (in memory, in process), rendering the prediction, and
 * `mreg diff` / `mreg upsert --dry-run` through the bundle.
 */
import { assert, describe, it } from "@effect/vitest"
import { type ModelManifest, ModelVersions, Validation } from "@mreg/core"
import { SqlRegistry } from "@mreg/registry"
import { wireVersion } from "@mreg/test-fixtures"
import { Effect, Either } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import * as Diff from "../src/Diff.js"
import * as Output from "../src/Output.js"
import { fakeControlPlane, json, mreg, queryRegistry, tempHome } from "./utils.js"

const manifestOf = (input: Record<string, unknown>): ModelManifest.ModelManifest => {
  const decoded = Validation.decodeManifest(input)
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  return decoded.right
}

const BASE = {
  type: "model-version",
  name: "sentiment-clf",
  ml_repo: "nlp-team",
  description: "first",
  metadata: { accuracy: 0.91, owner: "ana" },
  source: { type: "external", uri: "s3://models/sentiment/1/" },
  framework: { type: "transformers", library_name: "transformers", pipeline_tag: "text-classification" },
  environment: { python_version: "3.10", pip_packages: ["torch==2.4.0"] },
  run_id: "run-1"
}

/** The plan of an update of BASE's version 1 with these `changes` and no problems. */
const updateOfBase = (changes: ReadonlyArray<Diff.Change>): Diff.Plan => ({
  action: "update",
  ml_repo: "nlp-team",
  name: "sentiment-clf",
  version: 1,
  fqn: "model:default/nlp-team/sentiment-clf:1",
  changes,
  problems: []
})

const withRegistry = <A, E>(f: (registry: ModelVersions.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(ModelVersions.ModelVersions, f).pipe(Effect.provide(SqlRegistry.layerSqlite({ filename: ":memory:" })))

describe("Diff.changes", () => {
  it("compares objects key by key, lists and scalars as a whole, ignoring key order", () => {
    assert.deepStrictEqual(Diff.changes("m", { a: 1, b: { c: [1, 2], d: "x" } }, { b: { d: "x", c: [1, 2] }, a: 1 }), [])
    assert.deepStrictEqual(Diff.changes("m", { a: 1, b: { c: [1, 2] }, "odd key": true }, { a: 2, b: { c: [2] }, e: null }), [
      { op: "change", path: "m.a", from: 1, to: 2 },
      { op: "change", path: "m.b.c", from: [1, 2], to: [2] },
      { op: "remove", path: "m[\"odd key\"]", from: true },
      { op: "add", path: "m.e", to: null }
    ])
    assert.deepStrictEqual(Diff.changes("f", { type: "onnx" }, { type: "sklearn", model_filepath: "m.pkl" }), [
      { op: "change", path: "f", from: { type: "onnx" }, to: { type: "sklearn", model_filepath: "m.pkl" } }
    ])
  })
})

describe("Diff.plan (embedded registry)", () => {
  it.effect("an unknown model: version 1 would be created with every field of the manifest", () =>
    withRegistry((registry) =>
      Effect.gen(function*() {
        const plan = yield* Diff.plan(registry, manifestOf(BASE))
        assert.deepStrictEqual(plan, {
          action: "create",
          ml_repo: "nlp-team",
          name: "sentiment-clf",
          version: 1,
          fqn: undefined,
          changes: [
            { op: "add", path: "manifest.version", to: 1 },
            { op: "add", path: "manifest.description", to: "first" },
            { op: "add", path: "manifest.metadata", to: { accuracy: 0.91, owner: "ana" } },
            { op: "add", path: "manifest.source", to: { type: "external", uri: "s3://models/sentiment/1/" } },
            { op: "add", path: "manifest.framework", to: BASE.framework },
            { op: "add", path: "manifest.environment", to: BASE.environment },
            { op: "add", path: "manifest.step", to: 0 },
            { op: "add", path: "manifest.run_id", to: "run-1" }
          ],
          problems: []
        })
        assert.strictEqual(Diff.headline(plan), "new version 1 of nlp-team/sentiment-clf would be created")
      })))

  it.effect("no version, or the next number: the next version, with its FQN", () =>
    withRegistry((registry) =>
      Effect.gen(function*() {
        yield* registry.upsert(manifestOf(BASE))
        for (const manifest of [BASE, { ...BASE, version: 2 }]) {
          const plan = yield* Diff.plan(registry, manifestOf(manifest))
          assert.strictEqual(plan.action, "create")
          assert.strictEqual(plan.version, 2)
          assert.strictEqual(plan.fqn, "model:default/nlp-team/sentiment-clf:2")
          assert.deepStrictEqual(plan.problems, [])
          assert.strictEqual(
            Diff.headline(plan),
            "new version 2 of nlp-team/sentiment-clf would be created (model:default/nlp-team/sentiment-clf:2)"
          )
        }
      })))

  it.effect("an update: replaced fields changed, added and cleared; omitted source, step and run_id unchanged", () =>
    withRegistry((registry) =>
      Effect.gen(function*() {
        yield* registry.upsert(manifestOf(BASE))
        const { framework: _framework, run_id: _runId, ...rest } = BASE
        const plan = yield* Diff.plan(registry, manifestOf({
          ...rest,
          version: 1,
          version_alias: "v1-prod",
          description: "second",
          metadata: { owner: "ana", accuracy: 0.93, dataset: "sst2" },
          environment: { python_version: "3.10", pip_packages: ["torch==2.4.0", "numpy<2"] }
        }))
        assert.deepStrictEqual(plan, updateOfBase([
          { op: "add", path: "manifest.version_alias", to: "v1-prod" },
          { op: "change", path: "manifest.description", from: "first", to: "second" },
          { op: "change", path: "manifest.metadata.accuracy", from: 0.91, to: 0.93 },
          { op: "add", path: "manifest.metadata.dataset", to: "sst2" },
          { op: "remove", path: "manifest.framework", from: BASE.framework },
          { op: "change", path: "manifest.environment.pip_packages", from: ["torch==2.4.0"], to: ["torch==2.4.0", "numpy<2"] }
        ]))
        assert.strictEqual(
          Diff.text(plan, Output.plain),
          [
            "version 1 of nlp-team/sentiment-clf (model:default/nlp-team/sentiment-clf:1) would change:",
            "+ manifest.version_alias: \"v1-prod\"",
            "~ manifest.description: \"first\" → \"second\"",
            "~ manifest.metadata.accuracy: 0.91 → 0.93",
            "+ manifest.metadata.dataset: \"sst2\"",
            "- manifest.framework: {\"type\":\"transformers\",\"library_name\":\"transformers\",\"pipeline_tag\":\"text-classification\"}",
            "~ manifest.environment.pip_packages: [\"torch==2.4.0\"] → [\"torch==2.4.0\",\"numpy<2\"]"
          ].join("\n")
        )
        const same = yield* Diff.plan(registry, manifestOf({ ...BASE, version: 1 }))
        assert.deepStrictEqual(same.changes, [])
        assert.strictEqual(Diff.text(same, Output.plain), "version 1 of nlp-team/sentiment-clf (model:default/nlp-team/sentiment-clf:1): no changes")
      })))

  it.effect("source, step and run_id of an existing version cannot change: IMMUTABLE_FIELD problems", () =>
    withRegistry((registry) =>
      Effect.gen(function*() {
        yield* registry.upsert(manifestOf(BASE))
        const plan = yield* Diff.plan(registry, manifestOf({
          ...BASE,
          version: 1,
          source: { type: "local", file_or_folder: "./model" },
          step: 5,
          run_id: "run-2"
        }))
        assert.strictEqual(plan.action, "update")
        assert.deepStrictEqual(plan.changes, [])
        assert.deepStrictEqual(plan.problems, [
          {
            path: "manifest.source",
            code: "IMMUTABLE_FIELD",
            message: "cannot change once the version exists ({\"type\":\"external\",\"uri\":\"s3://models/sentiment/1/\"} → {\"type\":\"local\",\"file_or_folder\":\"./model\"})"
          },
          { path: "manifest.step", code: "IMMUTABLE_FIELD", message: "cannot change once the version exists (0 → 5)" },
          { path: "manifest.run_id", code: "IMMUTABLE_FIELD", message: "cannot change once the version exists (\"run-1\" → \"run-2\")" }
        ])
        // What the registry itself says for the same manifest.
        const refused = yield* Effect.flip(registry.upsert(manifestOf({ ...BASE, version: 1, step: 5 })))
        assert.strictEqual(refused._tag === "Conflict" ? refused.reason : refused._tag, "IMMUTABLE_FIELD")
      })))

  it.effect("a version beyond the next, a deleted version, an alias held by another version", () =>
    withRegistry((registry) =>
      Effect.gen(function*() {
        const v1 = yield* registry.upsert(manifestOf({ ...BASE, version_alias: "v1-prod" }))
        yield* registry.upsert(manifestOf(BASE))
        const beyond = yield* Diff.plan(registry, manifestOf({ ...BASE, version: 4 }))
        assert.deepStrictEqual(beyond, {
          action: "none",
          ml_repo: "nlp-team",
          name: "sentiment-clf",
          version: 4,
          changes: [],
          problems: [{
            path: "manifest.version",
            code: "VERSION_NOT_NEXT",
            message: "must be an existing version or the next one: the next version of nlp-team/sentiment-clf is 3 (received 4)"
          }]
        })
        const alias = yield* Diff.plan(registry, manifestOf({ ...BASE, version_alias: "v1-Prod" }))
        assert.deepStrictEqual(alias.problems, [{
          path: "manifest.version_alias",
          code: "ALIAS_IN_USE",
          message: "\"v1-Prod\" is held by version 1 of this model (as \"v1-prod\"); aliases are unique within a model, ignoring case"
        }])
        const own = yield* Diff.plan(registry, manifestOf({ ...BASE, version: 1, version_alias: "v1-PROD" }))
        assert.deepStrictEqual(own.problems, [])
        assert.deepStrictEqual(own.changes, [{ op: "change", path: "manifest.version_alias", from: "v1-prod", to: "v1-PROD" }])

        yield* registry.delete(v1.modelVersion.id)
        const deleted = yield* Diff.plan(registry, manifestOf({ ...BASE, version: 1 }))
        assert.strictEqual(deleted.action, "none")
        assert.strictEqual(deleted.fqn, "model:default/nlp-team/sentiment-clf:1")
        assert.deepStrictEqual(deleted.problems, [{
          path: "manifest.version",
          code: "VERSION_DELETED",
          message: "version 1 of nlp-team/sentiment-clf was deleted and version numbers are never reused; omit \"version\" to create version 3"
        }])
        assert.strictEqual(
          Diff.text(deleted, Output.plain),
          "nothing would be stored for version 1 of nlp-team/sentiment-clf (model:default/nlp-team/sentiment-clf:1)\n" +
            "! manifest.version: version 1 of nlp-team/sentiment-clf was deleted and version numbers are never reused; omit \"version\" to create version 3 [VERSION_DELETED]"
        )
      })))

  it.effect("--create-only and --if-match are checked like the registry checks them", () =>
    withRegistry((registry) =>
      Effect.gen(function*() {
        const v1 = yield* registry.upsert(manifestOf(BASE))
        const manifest = manifestOf({ ...BASE, version: 1 })
        const createOnly = yield* Diff.plan(registry, manifest, { createOnly: true })
        assert.deepStrictEqual(createOnly.problems, [{
          path: "--create-only",
          code: "PRECONDITION_FAILED",
          message: "version 1 already exists and --create-only allows only creating it"
        }])
        const stale = yield* Diff.plan(registry, manifest, { ifMatch: "\"stale\"" })
        assert.deepStrictEqual(stale.problems, [{
          path: "--if-match",
          code: "PRECONDITION_FAILED",
          message: `version 1 has changed since "stale": its current ETag is ${v1.etag}`
        }])
        assert.deepStrictEqual((yield* Diff.plan(registry, manifest, { ifMatch: v1.etag! })).problems, [])
        assert.deepStrictEqual((yield* Diff.plan(registry, manifestOf(BASE), { createOnly: true })).problems, [])
        const noSuchVersion = yield* Diff.plan(registry, manifestOf(BASE), { ifMatch: v1.etag! })
        assert.deepStrictEqual(noSuchVersion.problems.map((p) => p.code), ["PRECONDITION_FAILED"])
      })))
})

describe("Diff.text", () => {
  it("colours + green, - red, ~ yellow, ! bold red, the headline bold", () => {
    const plan: Diff.Plan = {
      action: "update",
      ml_repo: "r",
      name: "n",
      version: 1,
      changes: [
        { op: "add", path: "manifest.a", to: 1 },
        { op: "remove", path: "manifest.b", from: 2 },
        { op: "change", path: "manifest.c", from: 3, to: 4 }
      ],
      problems: [{ path: "manifest.step", code: "IMMUTABLE_FIELD", message: "cannot change" }]
    }
    assert.strictEqual(
      Diff.text(plan, Output.colored),
      [
        "\x1b[1mversion 1 of r/n would change:\x1b[0m",
        "\x1b[32m+ manifest.a: 1\x1b[0m",
        "\x1b[31m- manifest.b: 2\x1b[0m",
        "\x1b[33m~ manifest.c: 3 → 4\x1b[0m",
        "\x1b[1m\x1b[31m! manifest.step: cannot change [IMMUTABLE_FIELD]\x1b[0m\x1b[0m"
      ].join("\n")
    )
    assert.deepStrictEqual(Diff.body(plan), {
      action: "update",
      ml_repo: "r",
      name: "n",
      version: 1,
      changes: plan.changes,
      problems: plan.problems
    })
  })
})

describe.concurrent("mreg diff and mreg upsert --dry-run", () => {
  const stdin = (manifest: Record<string, unknown>) => ({ stdin: JSON.stringify({ manifest }) })

  it.scoped("show the same field-by-field changes; nothing is written", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const created = json(yield* mreg(home, ["upsert", "-f", "-"], stdin(BASE)))
      const { framework: _framework, ...rest } = BASE
      const changed = { ...rest, version: 1, description: "second", metadata: { accuracy: 0.93, owner: "ana" } }
      const expected = [
        "version 1 of nlp-team/sentiment-clf (model:default/nlp-team/sentiment-clf:1) would change:",
        "~ manifest.description: \"first\" → \"second\"",
        "~ manifest.metadata.accuracy: 0.91 → 0.93",
        "- manifest.framework: {\"type\":\"transformers\",\"library_name\":\"transformers\",\"pipeline_tag\":\"text-classification\"}",
        ""
      ].join("\n")
      const diff = yield* mreg(home, ["diff", "-f", "-"], stdin(changed))
      assert.strictEqual(diff.code, 0, diff.stderr)
      assert.strictEqual(diff.stdout, expected)
      assert.strictEqual(diff.stderr, "")
      const dryRun = yield* mreg(home, ["upsert", "--dry-run", "-f", "-"], stdin(changed))
      assert.strictEqual(dryRun.code, 0, dryRun.stderr)
      assert.strictEqual(dryRun.stdout, expected)
      const stored = json(yield* mreg(home, ["get", created.data.id]))
      assert.deepStrictEqual(stored, created, "a dry run stores nothing")
      assert.deepStrictEqual(queryRegistry(home, "SELECT COUNT(*) AS n FROM idempotency_keys"), [{ n: 1 }])

      const asJson = yield* mreg(home, ["diff", "-f", "-", "--output", "json"], stdin(changed))
      assert.deepStrictEqual(json(asJson), updateOfBase([
        { op: "change", path: "manifest.description", from: "first", to: "second" },
        { op: "change", path: "manifest.metadata.accuracy", from: 0.91, to: 0.93 },
        { op: "remove", path: "manifest.framework", from: BASE.framework }
      ]))
      const asYaml = yield* mreg(home, ["upsert", "--dry-run", "-f", "-", "-o", "yaml"], stdin(changed))
      assert.isTrue(asYaml.stdout.startsWith("action: update\nml_repo: nlp-team\nname: sentiment-clf\nversion: 1\n"), asYaml.stdout)
    }))

  it.scoped("a manifest without version: the next version would be created, and a dry run creates nothing", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const first = yield* mreg(home, ["upsert", "--dry-run", "-f", "-"], stdin(BASE))
      assert.strictEqual(first.code, 0, first.stderr)
      assert.strictEqual(first.stdout.split("\n")[0], "new version 1 of nlp-team/sentiment-clf would be created")
      assert.isFalse(existsSync(join(home, "registry.db")) && queryRegistry(home, "SELECT id FROM model_versions").length > 0)
      assert.strictEqual((yield* mreg(home, ["upsert", "-f", "-"], stdin(BASE))).code, 0)
      const next = yield* mreg(home, ["diff", "-f", "-"], stdin(BASE))
      assert.strictEqual(next.code, 0, next.stderr)
      assert.strictEqual(
        next.stdout,
        [
          "new version 2 of nlp-team/sentiment-clf would be created (model:default/nlp-team/sentiment-clf:2)",
          "+ manifest.version: 2",
          "+ manifest.description: \"first\"",
          "+ manifest.metadata: {\"accuracy\":0.91,\"owner\":\"ana\"}",
          "+ manifest.source: {\"type\":\"external\",\"uri\":\"s3://models/sentiment/1/\"}",
          "+ manifest.framework: {\"type\":\"transformers\",\"library_name\":\"transformers\",\"pipeline_tag\":\"text-classification\"}",
          "+ manifest.environment: {\"python_version\":\"3.10\",\"pip_packages\":[\"torch==2.4.0\"]}",
          "+ manifest.step: 0",
          "+ manifest.run_id: \"run-1\"",
          ""
        ].join("\n")
      )
      assert.deepStrictEqual(json(yield* mreg(home, ["list"])).pagination.total, 1)
    }))

  it.scoped("a change the registry would reject: marked with !, listed on stderr, exit 3 (2 for a version beyond the next)", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      assert.strictEqual((yield* mreg(home, ["upsert", "-f", "-"], stdin(BASE))).code, 0)
      const moved = { ...BASE, version: 1, source: { type: "external", uri: "s3://models/sentiment/moved/" } }
      for (const args of [["diff"], ["upsert", "--dry-run"]]) {
        const run = yield* mreg(home, [...args, "-f", "-"], stdin(moved))
        assert.strictEqual(run.code, 3, run.stderr)
        assert.strictEqual(
          run.stdout,
          "version 1 of nlp-team/sentiment-clf (model:default/nlp-team/sentiment-clf:1) would change:\n" +
            "! manifest.source: cannot change once the version exists ({\"type\":\"external\",\"uri\":\"s3://models/sentiment/1/\"} → {\"type\":\"external\",\"uri\":\"s3://models/sentiment/moved/\"}) [IMMUTABLE_FIELD]\n"
        )
        assert.strictEqual(
          run.stderr,
          "error: the upsert would be rejected (1 problem)\n" +
            "  manifest.source: cannot change once the version exists ({\"type\":\"external\",\"uri\":\"s3://models/sentiment/1/\"} → {\"type\":\"external\",\"uri\":\"s3://models/sentiment/moved/\"}) [IMMUTABLE_FIELD]\n"
        )
      }
      const upsert = yield* mreg(home, ["upsert", "-f", "-"], stdin(moved))
      assert.strictEqual(upsert.code, 3, "the real upsert agrees")
      assert.include(upsert.stderr, "[IMMUTABLE_FIELD]")
      const beyond = yield* mreg(home, ["diff", "-f", "-", "-o", "json"], stdin({ ...BASE, version: 3 }))
      assert.strictEqual(beyond.code, 2)
      assert.deepStrictEqual(json(beyond).problems.map((p: { code: string }) => p.code), ["VERSION_NOT_NEXT"])
    }))

  it.scoped("an invalid manifest exits 2 before the registry is opened", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const run = yield* mreg(home, ["diff", "-f", "-"], stdin({ ...BASE, version_alias: "1.0" }))
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assert.isTrue(run.stderr.startsWith("error: invalid manifest <stdin> (1 problem)\n  manifest.version_alias: must match "))
      assert.isFalse(existsSync(join(home, "registry.db")))
    }))

  it.scoped("on a control plane (--host): reads with GET list requests only, never a PUT", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const stored = wireVersion({ ...BASE, version: 2, step: 0 }, {
        id: "3d0c5a4e-1111-4222-8333-944455556666",
        created_by_subject: { subjectId: "ci-bot", subjectType: "serviceaccount" }
      })
      // A TrueFoundry model has no next_version: the prediction is left to the live versions.
      const plane = yield* fakeControlPlane((request) => ({
        status: 200,
        body: { data: request.url.startsWith("/api/ml/v1/models") ? [] : [stored], pagination: { total: 1, offset: 0, limit: 1 } }
      }))
      const run = yield* mreg(home, ["upsert", "--dry-run", "--host", plane.url, "-f", "-"], stdin({ ...BASE, version: 2, description: "third" }))
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(
        run.stdout,
        "version 2 of nlp-team/sentiment-clf (model:acme/nlp-team/sentiment-clf:2) would change:\n" +
          "~ manifest.description: \"first\" → \"third\"\n"
      )
      assert.deepStrictEqual(plane.received.map((request) => `${request.method} ${request.url}`), [
        "GET /api/ml/v1/model-versions?ml_repo=nlp-team&name=sentiment-clf&limit=1",
        "GET /api/ml/v1/models?ml_repo=nlp-team&name=sentiment-clf&limit=1"
      ])
      assert.isFalse(existsSync(join(home, "registry.db")))
    }))
})
