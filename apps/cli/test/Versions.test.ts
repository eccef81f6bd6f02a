/**
 * End-to-end tests of the bundle for naming versions and changing them safely (issue 12, findings 1–3): an id or an
 * FQN (number, alias or `latest`) in `get`, `update`, `tag` and `delete`; the id column of `list -o table`;
 * `get -o manifest` fed back to `upsert`; `update --set/--unset`; the fields an upsert clears; `tag add|remove|set`;
 * `delete` without a terminal.
 */
import { assert, describe, it } from "@effect/vitest"
import { base, BASE_FILE, wireVersion } from "@mreg/test-fixtures"
import { Effect, type Scope } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fakeControlPlane, json, LLAMA, mreg, tempHome } from "./utils.js"

const itHome = <A, E>(name: string, body: (home: string) => Effect.Effect<A, E, Scope.Scope>, timeout?: number) =>
  it.scoped(name, () => Effect.flatMap(tempHome, body), timeout)

const SENTIMENT = "model:default/nlp-team/sentiment-clf"
const LLAMA_FQN = "model:default/llm-finetunes/support-assistant:1"
const llamaManifest = JSON.parse(readFileSync(LLAMA, "utf8")).manifest

describe.concurrent("versions by id or FQN", () => {
  itHome("get, update, tag and delete take a number, an alias or latest after the colon", (home) =>
    Effect.gen(function*() {
      const v1 = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      const v2 = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      const llama = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
      assert.strictEqual(json(yield* mreg(home, ["get", `${SENTIMENT}:latest`])).data.id, v2.id)

      const tagged = yield* mreg(home, ["tag", "add", "model:default/llm-finetunes/support-assistant:v3-dev", "prod"])
      assert.strictEqual(tagged.code, 0, tagged.stderr)
      assert.deepStrictEqual(json(yield* mreg(home, ["get", llama.id])).data.tags, ["prod"])
      const updated = yield* mreg(home, ["update", `${SENTIMENT}:1`, "--set", "description=first"])
      assert.strictEqual(updated.code, 0, updated.stderr)
      assert.strictEqual(json(updated).data.id, v1.id)
      assert.strictEqual(json(updated).data.manifest.description, "first")

      const deleted = yield* mreg(home, ["delete", `${SENTIMENT}:latest`, "--yes", "-o", "table"])
      assert.strictEqual(deleted.code, 0, deleted.stderr)
      assert.strictEqual(deleted.stdout, `deleted ${SENTIMENT}:2 (${v2.id})\n`)
      assert.strictEqual(json(yield* mreg(home, ["get", `${SENTIMENT}:latest`])).data.id, v1.id, "latest is the highest live version")
    }))

  itHome("an FQN naming nothing exits 4; a malformed one exits 2 before the registry is opened", (home) =>
    Effect.gen(function*() {
      const latest = `${SENTIMENT}:latest`
      for (const args of [["get", latest], ["update", latest, "--set", "description=x"], ["tag", "add", latest, "prod"], ["delete", latest, "--yes"]]) {
        const missing = yield* mreg(home, args)
        assert.strictEqual(missing.code, 4, `${args.join(" ")}: ${missing.stderr}`)
        assert.strictEqual(missing.stderr, `error: no model version with FQN "${SENTIMENT}:latest" [NOT_FOUND]\n`)
      }
      // A model FQN names no single version: delete and tag refuse it instead of taking the latest.
      yield* mreg(home, ["upsert", "-f", BASE_FILE])
      for (const args of [["delete", SENTIMENT, "--yes"], ["tag", "add", SENTIMENT, "prod"], ["get", SENTIMENT]]) {
        const model = yield* mreg(home, args)
        assert.deepStrictEqual([model.code, model.stderr], [
          2,
          `error: invalid FQN "${SENTIMENT}": names a model, not a model version: add :{version}, :{alias} or :latest ` +
          `(received "${SENTIMENT}")\n`
        ], args.join(" "))
      }
      assert.deepStrictEqual(json(yield* mreg(home, ["get", `${SENTIMENT}:latest`])).data.tags, [], "nothing was tagged")
      const partial = yield* mreg(home, ["get", "nlp-team/sentiment-clf:1"])
      assert.deepStrictEqual([partial.code, partial.stderr], [
        4,
        "error: no model version with id \"nlp-team/sentiment-clf:1\"; to name a version by its FQN, write " +
        "model:{tenant}/{ml_repo}/{name}:{version, alias or latest} [NOT_FOUND]\n"
      ])
      const malformed = yield* mreg(home, ["tag", "add", `${SENTIMENT}:newest`, "prod"])
      assert.strictEqual(malformed.code, 2)
      assert.strictEqual(
        malformed.stderr,
        `error: invalid FQN "${SENTIMENT}:newest": has "newest" after the colon: give a version number, an alias ` +
          "starting with \"v\", or latest\n"
      )
    }))

  itHome("…:latest is the highest live version in get, update, tag add|remove|set, the older tag form and delete", (home) =>
    Effect.gen(function*() {
      const v1 = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      const v2 = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      const latest = `${SENTIMENT}:latest`
      const ok = (args: ReadonlyArray<string>) =>
        Effect.map(mreg(home, args), (run) => {
          assert.strictEqual(run.code, 0, `${args.join(" ")}: ${run.stderr}`)
          return run.stdout
        })
      assert.strictEqual(JSON.parse(yield* ok(["get", latest])).data.id, v2.id)
      assert.match(yield* ok(["get", latest, "-o", "manifest"]), /^ {2}version: 2$/m)
      assert.strictEqual(JSON.parse(yield* ok(["update", latest, "--set", "metadata.stage=canary"])).data.id, v2.id)
      assert.strictEqual(yield* ok(["tag", "add", latest, "canary", "-o", "table"]), `${SENTIMENT}:2: added canary\n`)
      assert.strictEqual(yield* ok(["tag", "set", latest, "prod", "-o", "table"]), `${SENTIMENT}:2: added prod; removed canary\n`)
      assert.strictEqual(yield* ok(["tag", latest, "ga", "-o", "table"]), `${SENTIMENT}:2: added ga; removed prod\n`)
      assert.strictEqual(yield* ok(["tag", "remove", latest, "ga", "-o", "table"]), `${SENTIMENT}:2: removed ga\n`)
      const second = JSON.parse(yield* ok(["get", v2.id])).data
      assert.deepStrictEqual([second.manifest.metadata.stage, second.tags], ["canary", []])
      assert.strictEqual(JSON.parse(yield* ok(["get", v1.id])).data.manifest.metadata.stage, undefined, "version 1 untouched")
      assert.strictEqual(yield* ok(["delete", latest, "--yes", "-o", "table"]), `deleted ${SENTIMENT}:2 (${v2.id})\n`)
      assert.strictEqual(yield* ok(["tag", "add", latest, "prod", "-o", "table"]), `${SENTIMENT}:1: added prod\n`)
    }), 180_000) // 14 spawns one after another: 5 s on an idle machine, over 60 s when other jobs load both cores

  itHome("an invalid FQN exits 2 with core's rule in every version command; a model FQN asks for a version", (home) =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        [SENTIMENT, "names a model, not a model version: add :{version}, :{alias} or :latest (received \"" + SENTIMENT + "\")"],
        [`${SENTIMENT}:0`, "has version 0; versions are integers from 1 to 2147483647"],
        [`${SENTIMENT}:Latest`, "has \"Latest\" after the colon: give a version number, an alias starting with \"v\", or latest"],
        [
          "model:default/nlp-team",
          "must be model:{tenant}/{ml_repo}/{name}, optionally followed by :{version, alias or latest} (received \"model:default/nlp-team\")"
        ]
      ]
      const runs = cases.flatMap(([fqn, rule]) =>
        [["get", fqn], ["update", fqn, "--set", "description=x"], ["tag", "add", fqn, "prod"], ["tag", fqn, "prod"], ["delete", fqn, "--yes"]]
          .map((args) => ({ args, expected: [2, "", `error: invalid FQN "${fqn}": ${rule}\n`] }))
      )
      yield* Effect.forEach(runs, ({ args, expected }) =>
        Effect.map(mreg(home, args), (run) => assert.deepStrictEqual([run.code, run.stdout, run.stderr], expected, args.join(" "))), { concurrency: 4 })
      assert.isFalse(existsSync(join(home, "registry.db")), "an invalid FQN never opens the registry")
    }), 180_000)

  itHome("list -o table: the first column is the id, which every command takes", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
      const table = yield* mreg(home, ["list", "-o", "table"])
      const id = table.stdout.split("\n")[1]!.split(" ")[0]!
      assert.strictEqual(id, created.id)
      assert.strictEqual(json(yield* mreg(home, ["get", id])).data.fqn, LLAMA_FQN)
    }))

  itHome("against a registry that answers 422 for :latest, the model's versions are listed and the highest taken", (home) =>
    Effect.gen(function*() {
      const version = (n: number) =>
        wireVersion({ ...base(), version: n }, { id: `00000000-0000-4000-8000-00000000000${n}`, fqn: `${SENTIMENT}:${n}` })
      const plane = yield* fakeControlPlane((request) => {
        if (request.url.includes("fqn=")) {
          return {
            status: 422,
            body: { statusCode: 422, code: "VALIDATION_ERROR", message: "bad fqn", detail: [{ loc: ["query", "fqn"], msg: "bad", type: "value_error" }] }
          }
        }
        if (request.url.startsWith("/api/ml/v1/model-versions?")) {
          return { status: 200, body: { data: [version(2), version(3), version(1)], pagination: { total: 3, offset: 0, limit: 1000 } } }
        }
        return { status: 200, body: { data: version(3) }, headers: { etag: "\"r3\"" } }
      })
      const run = yield* mreg(home, ["get", `${SENTIMENT}:latest`, "--host", plane.url])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(json(run).data.fqn, `${SENTIMENT}:3`)
      assert.deepStrictEqual(plane.received.map((r) => `${r.method} ${decodeURIComponent(r.url)}`), [
        `GET /api/ml/v1/model-versions?fqn=${SENTIMENT}:latest&limit=1`,
        "GET /api/ml/v1/model-versions?ml_repo=nlp-team&name=sentiment-clf&limit=1000&offset=0",
        "GET /api/ml/v1/model-versions/00000000-0000-4000-8000-000000000003"
      ])
    }))
})

describe.concurrent("get -o manifest", () => {
  itHome("prints the stored manifest as YAML, which upsert -f accepts unchanged (and then changes nothing)", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
      const printed = yield* mreg(home, ["get", LLAMA_FQN, "-o", "manifest"])
      assert.strictEqual(printed.code, 0, printed.stderr)
      assert.isTrue(printed.stdout.startsWith("manifest:\n  type: model-version\n  name: support-assistant\n"), printed.stdout)
      assert.include(printed.stdout, "\n    python_version: \"3.11\"\n")
      const yaml = yield* mreg(home, ["get", LLAMA_FQN, "-o", "yaml"])
      const refused = yield* mreg(home, ["upsert", "-f", "-"], { stdin: yaml.stdout })
      assert.strictEqual(refused.code, 2, "the response body (-o yaml) is not a manifest")
      const back = yield* mreg(home, ["upsert", "-f", "-", "-o", "table"], { stdin: printed.stdout })
      assert.strictEqual(back.code, 0, back.stderr)
      assert.match(back.stdout, /^Status: +updated$/m)
      assert.match(back.stdout, /^Cleared: +-$/m)
      const after = json(yield* mreg(home, ["get", created.id])).data
      assert.deepStrictEqual(after.manifest, created.manifest)
      assert.deepStrictEqual(after.manifest, { ...llamaManifest, version: 1 })
    }))
})

describe.concurrent("update --set / --unset", () => {
  itHome("changes only the named fields: JSON values, quoted keys, nested paths, unset", (home) =>
    Effect.gen(function*() {
      json(yield* mreg(home, ["upsert", "-f", LLAMA]))
      const run = yield* mreg(home, [
        "update",
        LLAMA_FQN,
        "--set", "metadata.eval.rougeL=0.43",
        "--set", "metadata.\"a.b\"=text",
        "--set", "metadata.flags={\"bf16\":true}",
        "--set", "version_alias=v3-prod",
        "--set", "framework.pipeline_tag=summarization",
        "--unset", "description",
        "--unset", "metadata.notes",
        "--unset", "metadata.absent.deeper",
        "-o", "table"
      ])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.match(run.stdout, /^Status: +updated$/m)
      assert.match(
        run.stdout,
        /^Changed: +description, version_alias, metadata\.eval\.rougeL, metadata\.notes, metadata\["a\.b"\], metadata\.flags, framework\.pipeline_tag$/m
      )
      const stored = json(yield* mreg(home, ["get", LLAMA_FQN])).data.manifest
      const { description: _description, ...rest } = llamaManifest
      const { notes: _notes, ...metadata } = llamaManifest.metadata
      assert.deepStrictEqual(stored, {
        ...rest,
        version: 1,
        version_alias: "v3-prod",
        metadata: { ...metadata, eval: { rougeL: 0.43 }, "a.b": "text", flags: { bf16: true } },
        framework: { ...llamaManifest.framework, pipeline_tag: "summarization" }
      })
      const before = json(yield* mreg(home, ["get", LLAMA_FQN])).data
      const again = yield* mreg(home, ["update", LLAMA_FQN, "--set", "version_alias=v3-prod", "-o", "table"])
      assert.match(again.stdout, /^Status: +unchanged$/m)
      assert.match(again.stdout, /^Changed: +-$/m)
      assert.deepStrictEqual(json(yield* mreg(home, ["get", LLAMA_FQN])).data, before, "nothing to change: nothing written")
    }))

  itHome("keys such as __proto__ and constructor are plain keys: they never reach another field", (home) =>
    Effect.gen(function*() {
      json(yield* mreg(home, ["upsert", "-f", LLAMA]))
      const run = yield* mreg(home, [
        "update", LLAMA_FQN,
        "--set", "metadata.__proto__.description=pwned",
        "--set", "metadata.constructor.x=1",
        "--set", "metadata.toString=2"
      ])
      assert.strictEqual(run.code, 0, run.stderr)
      const stored = json(yield* mreg(home, ["get", LLAMA_FQN])).data.manifest
      assert.strictEqual(stored.description, llamaManifest.description)
      assert.strictEqual(
        JSON.stringify([stored.metadata["__proto__"], stored.metadata.constructor, stored.metadata.toString]),
        JSON.stringify([{ description: "pwned" }, { x: 1 }, 2])
      )
      assert.isTrue(Object.hasOwn(stored.metadata, "__proto__"))
    }))

  itHome("fixed and identifying fields, unknown fields and bad paths exit 2 naming them; nothing is written", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--set", "source.uri=s3://x"], "--set source.uri=s3://x: source is fixed when the version is created and cannot be changed (create a new version instead)"],
        [["--set", "step=5"], "--set step=5: step is fixed when the version is created and cannot be changed (create a new version instead)"],
        [["--unset", "run_id"], "--unset run_id: run_id is fixed when the version is created and cannot be changed (create a new version instead)"],
        [["--set", "name=other"], "--set name=other: name says which model version this is and cannot be changed (create a new version instead)"],
        [["--set", "tags=[\"x\"]"], "--set tags=[\"x\"]: \"tags\" is not a field an update can change: description, version_alias, metadata, framework, environment"],
        [["--set", "metadata"], "--set metadata: no \"=\": write PATH=VALUE, such as metadata.accuracy=0.93"],
        [["--set", "metadata..x=1"], "--set metadata..x=1: a key of the path is empty; write PATH=VALUE, such as metadata.accuracy=0.93"],
        [["--set", "description.x=1"], "--set description.x: description is \"LoRA-merged instruction model for support tickets.\", not an object: set it whole"],
        [[], "nothing to update: give --set PATH=VALUE or --unset PATH"]
      ]
      for (const [args, message] of cases) {
        const run = yield* mreg(home, ["update", LLAMA_FQN, ...args])
        assert.strictEqual(run.code, 2, args.join(" "))
        assert.strictEqual(run.stderr, `error: ${message}\n`)
      }
      const invalid = yield* mreg(home, ["update", LLAMA_FQN, "--set", "description=2024", "--set", "version_alias=3"])
      assert.strictEqual(invalid.code, 2)
      assert.strictEqual(
        invalid.stderr.split("\n")[0],
        `error: invalid manifest of ${LLAMA_FQN} after the update (2 problems)`
      )
      assert.deepStrictEqual(json(yield* mreg(home, ["get", created.id])).data, created)
    }))

  itHome("against a control plane: PUT with If-Match the ETag it read; a 412 exits 3 saying nothing was written", (home) =>
    Effect.gen(function*() {
      const stored = wireVersion({ ...base(), version: 4, description: "old" }, { id: "3d0c5a4e-1111-4222-8333-944455556666" })
      const plane = yield* fakeControlPlane((request) =>
        request.method === "GET"
          ? { status: 200, body: { data: stored }, headers: { etag: "\"rev-1\"" } }
          : { status: 412, body: { statusCode: 412, code: "PRECONDITION_FAILED", message: "stale" } }
      )
      const run = yield* mreg(home, ["update", stored.id, "--set", "description=new", "--host", plane.url])
      assert.strictEqual(run.code, 3)
      assert.strictEqual(
        run.stderr.split("\n")[0],
        `error: ${stored.fqn} was changed by someone else after it was read (ETag "rev-1"); nothing was written: run mreg ` +
          "update again [PRECONDITION_FAILED]"
      )
      const put = plane.received.find((request) => request.method === "PUT")!
      assert.strictEqual(put.headers["if-match"], "\"rev-1\"")
      assert.deepStrictEqual(JSON.parse(put.body).manifest, { ...stored.manifest, description: "new" })
    }))
})

describe.concurrent("upsert -o table", () => {
  itHome("names the fields a PUT cleared, compared with the version before", (home) =>
    Effect.gen(function*() {
      const created = yield* mreg(home, ["upsert", "-f", LLAMA, "-o", "table"])
      assert.notMatch(created.stdout, /^Cleared:/m, "a new version clears nothing")
      const { version_alias: _alias, framework: _framework, ...rest } = llamaManifest
      const run = yield* mreg(home, ["upsert", "-f", "-", "-o", "table"], { stdin: JSON.stringify({ manifest: { ...rest, version: 1 } }) })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.match(run.stdout, /^Status: +updated$/m)
      assert.match(run.stdout, /^Cleared: +version_alias, framework$/m)
    }))
})

describe.concurrent("tag add|remove|set", () => {
  itHome("say what changed; the older form mreg tag ID TAG… sets the tags, with a note", (home) =>
    Effect.gen(function*() {
      const id = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data.id
      const tags = () => Effect.map(mreg(home, ["get", id]), (run) => json(run).data.tags)
      const step = (args: ReadonlyArray<string>, stdout: string, stderr: string) =>
        Effect.map(mreg(home, ["tag", ...args]), (run) => {
          assert.strictEqual(run.code, 0, run.stderr)
          assert.strictEqual(run.stdout, stdout)
          assert.strictEqual(run.stderr, stderr)
        })
      yield* step(["add", id, "prod", "stable", "-o", "table"], `${LLAMA_FQN}: added prod, stable\n`, "")
      yield* step(["add", LLAMA_FQN, "PROD", "canary"], "{}\n", `${LLAMA_FQN}: added canary; unchanged prod, stable\n`)
      assert.deepStrictEqual(yield* tags(), ["canary", "prod", "stable"])
      yield* step(["remove", id, "stable", "absent", "-o", "table"], `${LLAMA_FQN}: removed stable; unchanged canary, prod\n`, "")
      yield* step(["add", id, "prod", "-o", "table"], `${LLAMA_FQN}: no change; unchanged canary, prod\n`, "")
      yield* step(["set", id, "ga", "-o", "table"], `${LLAMA_FQN}: added ga; removed canary, prod\n`, "")
      yield* step(
        [id, "one", "two", "-o", "table"],
        `${LLAMA_FQN}: added one, two; removed ga\n`,
        "note: mreg tag ID TAG… replaces all tags of the version (as mreg tag set); mreg tag add keeps the others\n"
      )
      assert.deepStrictEqual(yield* tags(), ["one", "two"])
      const bare = yield* mreg(home, ["tag"])
      assert.strictEqual(bare.code, 2)
      assert.strictEqual(bare.stderr, "error: say what to do: mreg tag add|remove|set ID|FQN TAG… (see mreg tag --help)\n")
      const invalid = yield* mreg(home, ["tag", "add", id, "no spaces"])
      assert.strictEqual(invalid.code, 2)
      assert.include(invalid.stderr, "error: invalid tags (1 problem)\n  tags[0]: must be 1–128 letters")
    }))

  itHome("a tag another version holds: exit 3 unless --force moves it", (home) =>
    Effect.gen(function*() {
      const v1 = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      const v2 = json(yield* mreg(home, ["upsert", "-f", BASE_FILE])).data
      assert.strictEqual((yield* mreg(home, ["tag", "add", v1.id, "prod"])).code, 0)
      const clash = yield* mreg(home, ["tag", "add", `${SENTIMENT}:2`, "prod"])
      assert.strictEqual(clash.code, 3)
      assert.include(clash.stderr, "[TAG_IN_USE]")
      const moved = yield* mreg(home, ["tag", "add", `${SENTIMENT}:latest`, "prod", "--force", "-o", "table"])
      assert.strictEqual(moved.stdout, `${SENTIMENT}:2: added prod\n`)
      assert.deepStrictEqual(json(yield* mreg(home, ["list", "--tag", "prod"])).data.map((mv: any) => mv.id), [v2.id])
    }))
})

describe.concurrent("delete", () => {
  itHome("not on a terminal and without --yes: exit 2 saying to pass --yes; nothing is deleted", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", LLAMA])).data
      const run = yield* mreg(home, ["delete", LLAMA_FQN])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assert.strictEqual(run.stderr, "error: not on a terminal, so mreg delete cannot ask for confirmation: pass --yes (-y) to delete\n")
      assert.deepStrictEqual(json(yield* mreg(home, ["get", created.id])).data, created)
      const yes = yield* mreg(home, ["delete", LLAMA_FQN, "-y"])
      assert.strictEqual(yes.code, 0, yes.stderr)
      assert.strictEqual(yes.stdout, "{}\n")
      assert.strictEqual((yield* mreg(home, ["get", created.id])).code, 4)
    }))
})
