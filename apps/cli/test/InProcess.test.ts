/**
 * `mreg` run in this process (`Cli.run`) on a real embedded registry (SQLite in a temporary folder), for what the
 * bundle cannot show from outside: a write made by someone else between `mreg update`'s read and its write, and the
 * confirmation of `mreg delete` answered on a terminal (a `Terminal` that types the answer).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { Terminal } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { ModelManifest, ModelVersions, Validation } from "@mreg/core"
import { ModelVersionsSql } from "@mreg/registry"
import { base } from "@mreg/test-fixtures"
import { Console, Context, Effect, Either, Layer, Mailbox, Option, Schema } from "effect"
import { join } from "node:path"
import * as Cli from "../src/Cli.js"
import { tempHome } from "./utils.js"

const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

/** What an in-process run printed, and its exit code. */
interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** What the terminal showed (prompts). */
  readonly screen: string
}

/** A terminal (`isTTY` true) on which the person types `keys`, one key each; or, with `keys` undefined, no terminal. */
const terminal = (keys: ReadonlyArray<string> | undefined, screen: Array<string>): Terminal.Terminal => ({
  columns: Effect.succeed(100),
  rows: Effect.succeed(40),
  isTTY: Effect.succeed(keys !== undefined),
  readInput: Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<Terminal.UserInput>()
    for (const key of keys ?? []) {
      yield* mailbox.offer({ input: Option.some(key), key: { name: key, ctrl: false, meta: false, shift: false } })
    }
    return mailbox
  }),
  readLine: Effect.die("readLine is not used by mreg"),
  display: (text) => Effect.sync(() => void screen.push(text))
})

/** Runs `mreg args…` on `registry` (the embedded one), with a terminal typing `keys` (or none). */
const run = (registry: ModelVersions.Service, args: ReadonlyArray<string>, keys?: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const screen: Array<string> = []
    const console = yield* Effect.console
    const recorder: Console.Console = {
      ...console,
      log: (...lines) => Effect.sync(() => void stdout.push(lines.join(" "))),
      error: (...lines) => Effect.sync(() => void stderr.push(lines.join(" ")))
    }
    const code = yield* Cli.run(["node", "mreg", ...args], {
      embedded: Layer.succeed(ModelVersions.ModelVersions, registry),
      remote: () => Layer.die("no control plane in these tests")
    }).pipe(
      Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, Layer.succeed(Terminal.Terminal, terminal(keys, screen)))),
      Effect.withConsole(recorder)
    )
    return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n"), screen: screen.join("") } satisfies Run
  })

/** The embedded registry on SQLite in a temporary folder, open for the test's scope. */
const embedded = Effect.gen(function*() {
  const home = yield* tempHome
  const context = yield* Layer.build(ModelVersionsSql.layerSqlite({ filename: join(home, "registry.db") }))
  return Context.get(context, ModelVersions.ModelVersions)
})

const manifest = (fields: Record<string, unknown>) => Either.getOrThrow(Validation.decodeManifest(base(fields)))

describe("mreg update, with a write by someone else between its read and its write", () => {
  it.scoped("exits 3 naming the version and writes nothing; run again, it keeps both changes", () =>
    Effect.gen(function*() {
      const registry = yield* embedded
      const created = yield* registry.upsert(manifest({ description: "first", metadata: { owner: "ada" } }))
      const fqn = created.modelVersion.fqn
      let raced = false
      const racing: ModelVersions.Service = {
        ...registry,
        get: (id) =>
          Effect.tap(registry.get(id), (read) =>
            raced ? Effect.void : Effect.gen(function*() {
              raced = true
              const edited = { ...encodeManifest(read.modelVersion.manifest), description: "edited meanwhile" }
              yield* registry.upsert(Either.getOrThrow(Validation.decodeManifest(edited)))
            }))
      }
      const lost = yield* run(racing, ["update", fqn, "--set", "metadata.accuracy=0.93"])
      assert.strictEqual(lost.code, 3, lost.stderr)
      assert.strictEqual(lost.stdout, "")
      assert.strictEqual(
        lost.stderr.split("\n")[0],
        `error: ${fqn} was changed by someone else after it was read (ETag ${created.etag}); nothing was written: run mreg ` +
          "update again [PRECONDITION_FAILED]"
      )
      const stored = (yield* registry.get(created.modelVersion.id)).modelVersion.manifest
      assert.strictEqual(stored.description, "edited meanwhile")
      assert.deepStrictEqual(stored.metadata, { owner: "ada" })

      const again = yield* run(racing, ["update", fqn, "--set", "metadata.accuracy=0.93", "-o", "table"])
      assert.strictEqual(again.code, 0, again.stderr)
      assert.match(again.stdout, /^Status: +updated$/m)
      assert.match(again.stdout, /^Changed: +metadata\.accuracy$/m)
      const both = (yield* registry.get(created.modelVersion.id)).modelVersion.manifest
      assert.strictEqual(both.description, "edited meanwhile")
      assert.deepStrictEqual(both.metadata, { owner: "ada", accuracy: 0.93 })
    }))
})

describe("mreg delete on a terminal", () => {
  it.scoped("asks, naming the FQN and the tags; y deletes, n (or Enter) keeps it and exits 1", () =>
    Effect.gen(function*() {
      const registry = yield* embedded
      const created = yield* registry.upsert(manifest({}))
      const { id, fqn } = created.modelVersion
      yield* registry.applyTags(new ModelVersions.ApplyTagsRequest({ model_version_id: id, tags: ["Production", "stable"] }))

      for (const keys of [["n"], ["enter"]]) {
        const declined = yield* run(registry, ["delete", fqn], keys)
        assert.strictEqual(declined.code, 1, declined.stderr)
        assert.include(declined.screen, `Delete ${fqn} (tags: Production, stable)?`)
        assert.strictEqual(declined.stderr, `error: not deleted: ${fqn}`)
        assert.strictEqual(declined.stdout, "")
        assert.strictEqual((yield* registry.get(id)).modelVersion.id, id)
      }

      const confirmed = yield* run(registry, ["delete", fqn, "-o", "table"], ["y"])
      assert.strictEqual(confirmed.code, 0, confirmed.stderr)
      assert.include(confirmed.screen, `Delete ${fqn} (tags: Production, stable)?`)
      assert.strictEqual(confirmed.stdout, `deleted ${fqn} (${id})`)
      const gone = yield* Effect.either(registry.get(id))
      assert.isTrue(Either.isLeft(gone) && gone.left._tag === "NotFound")
    }))

  it.scoped("--yes does not ask; without a terminal and without --yes, exit 2 and nothing is deleted", () =>
    Effect.gen(function*() {
      const registry = yield* embedded
      const { id, fqn } = (yield* registry.upsert(manifest({}))).modelVersion
      const refused = yield* run(registry, ["delete", fqn])
      assert.strictEqual(refused.code, 2)
      assert.strictEqual(
        refused.stderr,
        "error: not on a terminal, so mreg delete cannot ask for confirmation: pass --yes (-y) to delete"
      )
      assert.strictEqual((yield* registry.get(id)).modelVersion.id, id)
      const yes = yield* run(registry, ["delete", id, "-y"], [])
      assert.strictEqual(yes.code, 0, yes.stderr)
      assert.strictEqual(yes.screen, "", "no question with --yes")
      assert.strictEqual(yes.stdout, "{}")
    }))
})
