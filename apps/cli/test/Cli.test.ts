/**
 * End-to-end tests of the `mreg` bundle (`dist/mreg.mjs`): each test runs the executable in a child process with a
 * fresh `MREG_HOME` and checks exit codes, stdout (wire JSON or tables) and stderr exactly.
 */
import { assert, describe, it } from "@effect/vitest"
import { PageToken } from "@mreg/core"
import { BASE_FILE, wireVersion } from "@mreg/test-fixtures"
import { Either, Effect, type Scope } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { basename, join, relative } from "node:path"
import * as ManifestFile from "../src/ManifestFile.js"
import {
  assertLlamaRows,
  BUNDLE,
  fakeControlPlane,
  FIXTURES,
  fixtureCase,
  json,
  LLAMA,
  manifestFiles,
  mreg,
  PACKAGE_DIR,
  queryRegistry,
  REPO_ROOT,
  tempHome
} from "./utils.js"

/** An `it.scoped` test whose body gets a fresh temporary `MREG_HOME` (removed when it ends). */
const itHome = <A, E>(name: string, body: (home: string) => Effect.Effect<A, E, Scope.Scope>, timeout?: number) =>
  it.scoped(name, () => Effect.flatMap(tempHome, body), timeout)

const EXAMPLES = join(REPO_ROOT, "examples")
const BASE = BASE_FILE

/** The manifest a file holds, parsed the way the CLI parses it (wrapper removed). */
const manifestOf = (file: string): Record<string, unknown> => {
  const parsed = ManifestFile.parse(readFileSync(file, "utf8"), file)
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  const value = parsed.right as Record<string, unknown>
  return (Object.hasOwn(value, "manifest") ? value.manifest : value) as Record<string, unknown>
}

/**
 * Whether a file holds a manifest (`{"manifest": …}` or `{"type": "model-version", …}`), valid or not: `examples/`
 * also holds other files, such as the proxy's `tokens.yaml`. A file that does not parse counts as a manifest, so
 * that a broken example fails its test instead of being skipped.
 */
const isManifest = (file: string): boolean => {
  const parsed = ManifestFile.parse(readFileSync(file, "utf8"), file)
  if (Either.isLeft(parsed)) return true
  if (typeof parsed.right !== "object" || parsed.right === null) return false
  const value = parsed.right as Record<string, unknown>
  return Object.hasOwn(value, "manifest") || value.type === "model-version"
}

/** The manifests of the repository's `examples/` folder (or of a folder under it). */
const exampleManifests = (dir = EXAMPLES): ReadonlyArray<string> => manifestFiles(dir).filter(isManifest)

/** What the registry stores for a manifest created as version 1: `version` filled in, `step` 0 when absent. */
const storedAsVersion1 = (manifest: Record<string, unknown>) => ({ ...manifest, version: 1, step: manifest.step ?? 0 })

describe.concurrent("mreg bundle", () => {
  it("is built and executable", () => {
    assert.isTrue(existsSync(BUNDLE), `${BUNDLE} is missing: run \`pnpm build\` (the root \`pnpm test\` builds first)`)
    const text = readFileSync(BUNDLE, "utf8")
    assert.isTrue(text.startsWith("#!/usr/bin/env node\n"))
    assert.isFalse(text.includes("better-sqlite3/lib"), "better-sqlite3 must stay external")
  })

  itHome("--version prints the package version", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["--version"])
      const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"))
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, `${pkg.version}\n`, "the version and one newline, no blank line")
      assert.strictEqual(run.stderr, "")
    }))

  itHome("--help documents the exit codes", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["--help"])
      assert.strictEqual(run.code, 0)
      assert.include(run.stdout, "\nEXIT CODES\n  0  ok")
      assert.include(run.stdout, "\n  2  usage or validation error")
      assert.include(run.stdout, "\n  3  conflict")
      assert.include(run.stdout, "\n  4  not found")
      for (const command of ["upsert", "validate", "get", "update", "list", "delete", "tag", "models", "init", "diff", "completion", "schema"]) {
        assert.match(run.stdout, new RegExp(`\n  ${command} +\\S`))
      }
      assert.isFalse(existsSync(join(home, "registry.db")), "--help must not open the registry")
      assert.notInclude(run.stdout, "\x1b", "no escape codes when stdout is not a terminal")
      assert.isTrue(run.stdout.startsWith("mreg 0.1.0: register and update ML model versions"), run.stdout)
      assert.isFalse(run.stdout.endsWith("\n\n"), "no blank line at the end")
      const unknown = yield* mreg(home, ["list", "--bogus"])
      assert.strictEqual(unknown.code, 2)
      assert.notInclude(unknown.stderr, "\x1b")
    }))

  itHome("completion bash|zsh|fish prints the completion script of @effect/cli; the bash one completes", (home) =>
    Effect.gen(function*() {
      const bash = yield* mreg(home, ["completion", "bash"])
      assert.strictEqual(bash.code, 0, bash.stderr)
      assert.isTrue(bash.stdout.startsWith("function _mreg_bash_completions() {\n"))
      const complete = (words: ReadonlyArray<string>) => {
        const script = [
          `source <("${process.execPath}" "${BUNDLE}" completion bash)`,
          `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}`,
          `_mreg_bash_completions mreg '${words[words.length - 1]}' '${words[words.length - 2]}'`,
          "echo \"${COMPREPLY[*]}\""
        ].join("\n")
        const result = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, MREG_HOME: home } })
        assert.strictEqual(result.status, 0, result.stderr)
        return result.stdout.trim()
      }
      assert.strictEqual(complete(["mreg", "di"]), "diff")
      assert.strictEqual(complete(["mreg", "upsert", "--dr"]), "--dry-run")
      assert.strictEqual(complete(["mreg", "init", "--py"]), "--python-version")
      const zsh = yield* mreg(home, ["completion", "zsh"])
      assert.strictEqual(zsh.code, 0)
      assert.isTrue(zsh.stdout.startsWith("#compdef mreg\n"))
      const fish = yield* mreg(home, ["completion", "fish"])
      assert.strictEqual(fish.code, 0)
      assert.include(fish.stdout, "complete -c mreg -n \"__fish_use_subcommand\" -f -a \"diff\"")
      const other = yield* mreg(home, ["completion", "powershell"])
      assert.strictEqual(other.code, 2)
      assert.include(other.stderr, "bash, zsh, fish")
    }))

  itHome("usage errors exit 2: unknown command, unknown flag, missing argument, bad value", (home) =>
    Effect.gen(function*() {
      for (const args of [["frobnicate"], ["list", "--bogus"], ["upsert"], ["get"], ["list", "--limit", "ten"], ["list", "--output", "xml"]]) {
        const run = yield* mreg(home, args)
        assert.strictEqual(run.code, 2, `mreg ${args.join(" ")}: ${run.stderr}`)
        assert.strictEqual(run.stdout, "")
        assert.notStrictEqual(run.stderr.trim(), "")
      }
    }))
})

describe.concurrent("upsert", () => {
  const fixtures = [...manifestFiles(join(FIXTURES, "manifests")), BASE_FILE]
  const examples = exampleManifests()

  it("has manifests to test", () => {
    assert.strictEqual(fixtures.length, 8)
    assert.includeMembers(fixtures.map((file) => basename(file)), ["minilm-embeddings.yaml", "sklearn-iris.yaml", "base.json"])
  })

  for (const file of [...fixtures, ...examples]) {
    itHome(`stores ${relative(REPO_ROOT, file)} as version 1`, (home) =>
      Effect.gen(function*() {
        const run = yield* mreg(home, ["upsert", "-f", file])
        assert.strictEqual(run.code, 0, run.stderr)
        assert.strictEqual(run.stderr, "")
        const body = json(run)
        const manifest = manifestOf(file)
        assert.deepStrictEqual(Object.keys(body), ["data"])
        assert.strictEqual(body.data.fqn, `model:default/${manifest.ml_repo}/${manifest.name}:1`)
        assert.deepStrictEqual(body.data.manifest, storedAsVersion1(manifest))
        assert.deepStrictEqual(body.data.tags, [])
        assert.deepStrictEqual(body.data.metrics, [])
        assert.strictEqual(body.data.created_at, body.data.updated_at)
        assert.match(body.data.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
        const source = (manifest.source as { type: string }).type
        assert.strictEqual(body.data.deployable, manifest.framework !== undefined && source !== "local")
        if (/\.ya?ml$/.test(file)) {
          const written = /python_version:\s*"?([0-9.]+)"?/.exec(readFileSync(file, "utf8"))?.[1]
          if (written !== undefined) assert.strictEqual(body.data.manifest.environment.python_version, written)
        }
      }))
  }

  itHome("keeps YAML string fields as written: unquoted python_version 3.10 stays \"3.10\" (C11)", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["upsert", "-f", fixtureCase("python-unquoted.yaml")])
      assert.strictEqual(run.code, 0, run.stderr)
      const data = json(run).data
      assert.strictEqual(data.fqn, "model:default/tabular/2024:1")
      assert.deepStrictEqual(data.manifest, {
        type: "model-version",
        name: "2024",
        ml_repo: "tabular",
        version: 1,
        version_alias: "v1.10",
        description: "1.50",
        metadata: { threshold: 0.5, enabled: true, tags: ["a", "b"] },
        source: { type: "external", uri: "s3://bucket/model" },
        framework: { type: "sklearn", model_filepath: "1.0" },
        environment: { python_version: "3.10", pip_packages: ["numpy<2"] },
        step: 0,
        run_id: "0042"
      })
    }))

  itHome("accepts a bare manifest without the {\"manifest\": …} wrapper", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["upsert", "-f", fixtureCase("bare-manifest.yaml")])
      assert.strictEqual(run.code, 0, run.stderr)
      const data = json(run).data
      assert.strictEqual(data.fqn, "model:default/plain-repo/bare:1")
      assert.strictEqual(data.manifest.environment.python_version, "3.12")
      assert.strictEqual(data.deployable, false)
    }))

  itHome("reads a JSON manifest from stdin with -f -", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["upsert", "-f", "-"], { stdin: readFileSync(BASE, "utf8") })
      assert.strictEqual(run.code, 0, run.stderr)
      const data = json(run).data
      assert.strictEqual(data.fqn, "model:default/nlp-team/sentiment-clf:1")
      assert.deepStrictEqual(data.manifest, storedAsVersion1(manifestOf(BASE)))
    }))

  itHome("detects JSON by content in a file without an extension", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["upsert", "-f", fixtureCase("extensionless")])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(json(run).data.fqn, "model:default/misc/no-extension:1")
    }))

  itHome("the same manifest twice gives versions 1 then 2 (a new idempotency key per run)", (home) =>
    Effect.gen(function*() {
      const first = json(yield* mreg(home, ["upsert", "-f", BASE]))
      const second = json(yield* mreg(home, ["upsert", "-f", BASE]))
      assert.strictEqual(first.data.fqn, "model:default/nlp-team/sentiment-clf:1")
      assert.strictEqual(second.data.fqn, "model:default/nlp-team/sentiment-clf:2")
      assert.strictEqual(second.data.manifest.version, 2)
      assert.notStrictEqual(first.data.id, second.data.id)
    }))

  itHome("every upsert sends an idempotency key: a new UUID per run, or --idempotency-key (C3)", (home) =>
    Effect.gen(function*() {
      for (const args of [[], [], ["--idempotency-key", "k-123"]]) {
        const run = yield* mreg(home, ["upsert", "-f", BASE, ...args])
        assert.strictEqual(run.code, 0, run.stderr)
      }
      const keys = queryRegistry(home, "SELECT key FROM idempotency_keys ORDER BY created_at, key").map((row) => String(row.key))
      assert.strictEqual(keys.length, 3)
      assert.strictEqual(new Set(keys).size, 3)
      assert.strictEqual(keys.filter((key) => key === "k-123").length, 1)
      assert.strictEqual(keys.filter((key) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(key)).length, 2)
    }))

  itHome("a version alias used twice: the second run exits 3 with ALIAS_IN_USE", (home) =>
    Effect.gen(function*() {
      const first = yield* mreg(home, ["upsert", "-f", LLAMA])
      assert.strictEqual(first.code, 0, first.stderr)
      const second = yield* mreg(home, ["upsert", "-f", LLAMA])
      assert.strictEqual(second.code, 3)
      assert.strictEqual(second.stdout, "")
      assert.strictEqual(
        second.stderr,
        "error: version alias \"v3-dev\" is held by version 1 of this model (as \"v3-dev\"); aliases are unique within a model, ignoring case [ALIAS_IN_USE]\n"
      )
    }))

  itHome("--idempotency-key replays the first response; the same key with another manifest exits 3", (home) =>
    Effect.gen(function*() {
      const first = yield* mreg(home, ["upsert", "-f", BASE, "--idempotency-key", "k-123"])
      const retry = yield* mreg(home, ["upsert", "-f", BASE, "--idempotency-key", "k-123"])
      assert.strictEqual(retry.code, 0, retry.stderr)
      assert.deepStrictEqual(json(retry), json(first))
      const table = yield* mreg(home, ["upsert", "-f", BASE, "--idempotency-key", "k-123", "-o", "table"])
      assert.match(table.stdout, /^Status: +replayed$/m)
      const list = json(yield* mreg(home, ["list"]))
      assert.strictEqual(list.pagination.total, 1)
      const other = yield* mreg(home, ["upsert", "-f", LLAMA, "--idempotency-key", "k-123"])
      assert.strictEqual(other.code, 3)
      assert.include(other.stderr, "[IDEMPOTENCY_KEY_REUSED]")
    }))

  itHome("--create-only and --if-match: a failed precondition exits 3, the current ETag passes", (home) =>
    Effect.gen(function*() {
      const created = yield* mreg(home, ["upsert", "-f", BASE, "--create-only", "-o", "table"])
      assert.strictEqual(created.code, 0, created.stderr)
      assert.match(created.stdout, /^Status: +created$/m)
      const etag = /^ETag: +(.+)$/m.exec(created.stdout)?.[1]
      assert.isDefined(etag)
      const v1 = JSON.stringify({ manifest: { ...manifestOf(BASE), version: 1, description: "updated" } })
      const again = yield* mreg(home, ["upsert", "-f", "-", "--create-only"], { stdin: v1 })
      assert.strictEqual(again.code, 3)
      assert.include(again.stderr, "[PRECONDITION_FAILED]")
      const stale = yield* mreg(home, ["upsert", "-f", "-", "--if-match", "\"stale\""], { stdin: v1 })
      assert.strictEqual(stale.code, 3)
      assert.include(stale.stderr, `current etag: ${etag}`)
      const updated = yield* mreg(home, ["upsert", "-f", "-", "--if-match", etag!, "-o", "table"], { stdin: v1 })
      assert.strictEqual(updated.code, 0, updated.stderr)
      assert.match(updated.stdout, /^Status: +updated$/m)
      assert.match(updated.stdout, /^Description: +updated$/m)
    }))

  itHome("an invalid manifest exits 2 before the registry is opened (C7)", (home) =>
    Effect.gen(function*() {
      const file = fixtureCase("alias-without-v.yaml")
      const run = yield* mreg(home, ["upsert", "-f", file])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      assert.strictEqual(
        run.stderr,
        `error: invalid manifest ${file} (1 problem)\n` +
          "  manifest.version_alias: must match ^v[a-zA-Z0-9]+([.-][a-zA-Z0-9]+)*$: a \"v\" then letters or digits, groups joined by \".\" or \"-\", such as \"v1.0.0\" or \"v1-prod\" (received \"1.0\")\n"
      )
      assert.isFalse(existsSync(join(home, "registry.db")))
    }))

  itHome("a version beyond the next one is a validation error from the registry, exit 2", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["upsert", "-f", "-"], {
        stdin: JSON.stringify({ manifest: { ...manifestOf(BASE), version: 3 } })
      })
      assert.strictEqual(run.code, 2)
      assert.strictEqual(
        run.stderr,
        "error: invalid manifest <stdin> (1 problem)\n" +
          "  manifest.version: must be an existing version or the next one: the next version of nlp-team/sentiment-clf is 1 (received 3)\n"
      )
    }))

  itHome("an unreadable file exits 2", (home) =>
    Effect.gen(function*() {
      const missing = join(home, "missing.json")
      const run = yield* mreg(home, ["upsert", "-f", missing])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stderr, `error: cannot read ${missing}: no such file\n`)
    }))
})

describe.concurrent("validate", () => {
  itHome("prints every problem with its place and exits 2 (C6)", (home) =>
    Effect.gen(function*() {
      const file = fixtureCase("framework-typos.json")
      const run = yield* mreg(home, ["validate", "-f", file])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stdout, "")
      const lines = run.stderr.trimEnd().split("\n")
      assert.strictEqual(lines.length, 3)
      assert.strictEqual(lines[0], `error: invalid manifest ${file} (2 problems)`)
      assert.strictEqual(
        lines[1],
        "  manifest.framework.library_name: must be one of \"transformers\", \"sentence-transformers\", \"diffusers\" (received \"pytorch\")"
      )
      assert.isTrue(lines[2]!.startsWith("  manifest.framework.pipeline_tag: "), lines[2])
      assert.include(lines[2], "did you mean \"text-generation\"")
      assert.include(lines[2], "(received \"text-generaton\"")
      assert.isFalse(existsSync(join(home, "registry.db")), "validate must never open the registry")
    }))

  itHome("reports the alias and the python version together", (home) =>
    Effect.gen(function*() {
      const file = fixtureCase("alias-and-python.yaml")
      const run = yield* mreg(home, ["validate", "-f", file])
      assert.strictEqual(run.code, 2)
      const lines = run.stderr.trimEnd().split("\n")
      assert.deepStrictEqual(lines.map((line) => line.split(":")[0]), [
        "error",
        "  manifest.version_alias",
        "  manifest.environment.python_version"
      ])
      assert.include(lines[2], "MAJOR.MINOR[.PATCH]")
      assert.include(lines[2], "(received \"py3.10\")")
    }))

  itHome("an unquoted YAML version_alias 1.0 is checked as the text \"1.0\"", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["validate", "-f", fixtureCase("alias-without-v.yaml")])
      assert.strictEqual(run.code, 2)
      assert.include(run.stderr, "  manifest.version_alias: must match ")
      assert.include(run.stderr, "(received \"1.0\")")
    }))

  itHome("JSON \"python_version\": 3.1 fails; YAML python_version: 3.10 passes (C11)", (home) =>
    Effect.gen(function*() {
      const number = fixtureCase("python-version-number.json")
      const failed = yield* mreg(home, ["validate", "-f", number])
      assert.strictEqual(failed.code, 2)
      assert.strictEqual(
        failed.stderr,
        `error: invalid manifest ${number} (1 problem)\n` +
          "  manifest.environment.python_version: must be a string MAJOR.MINOR[.PATCH] such as \"3.10\"; a number loses its trailing zeros, quote it (received 3.1)\n"
      )
      const yaml = fixtureCase("python-unquoted.yaml")
      const passed = yield* mreg(home, ["validate", "-f", yaml])
      assert.strictEqual(passed.code, 0, passed.stderr)
      assert.strictEqual(passed.stdout, `ok: ${yaml} is a valid manifest of tabular/2024\n`)
      assert.strictEqual(passed.stderr, "")
    }))

  itHome("syntax errors name the file, line and column, exit 2", (home) =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["syntax-error.json", "invalid JSON in FILE at line 4, column 1: unexpected \"}\": expected a double-quoted property name after \",\""],
        ["nan.json", "invalid JSON in FILE at line 2, column 24: unexpected \"N\": NaN is not a JSON value (JSON has no NaN or Infinity)"],
        ["syntax-error.yaml", "invalid YAML in FILE at line 3, column 9: Nested mappings are not allowed in compact mappings"]
      ]
      for (const [name, message] of cases) {
        const file = fixtureCase(name)
        const run = yield* mreg(home, ["validate", "-f", file])
        assert.strictEqual(run.code, 2, name)
        assert.strictEqual(run.stderr, `error: ${message.replace("FILE", file)}\n`)
      }
    }))

  itHome("every example in examples/ validates, and every file in examples/broken fails with exit 2", (home) =>
    Effect.gen(function*() {
      for (const file of exampleManifests()) {
        const run = yield* mreg(home, ["validate", "-f", file])
        assert.strictEqual(run.code, 0, `${file}: ${run.stderr}`)
        assert.match(run.stdout, /^ok: .+ is a valid manifest of [^/\s]+\/[^/\s]+\n$/)
      }
      for (const file of exampleManifests(join(EXAMPLES, "broken"))) {
        const run = yield* mreg(home, ["validate", "-f", file])
        assert.strictEqual(run.code, 2, file)
        assert.match(run.stderr, /^error: invalid manifest .+ \(\d+ problems?\)\n( {2}manifest\.[\w.[\]]+: .+\n)+$/)
      }
    }))
})

describe.concurrent("get", () => {
  itHome("by FQN, by alias FQN and by id prints exactly what upsert printed", (home) =>
    Effect.gen(function*() {
      const upserted = json(yield* mreg(home, ["upsert", "-f", LLAMA]))
      const byFqn = yield* mreg(home, ["get", "model:default/llm-finetunes/support-assistant:1"])
      assert.strictEqual(byFqn.code, 0, byFqn.stderr)
      assert.deepStrictEqual(json(byFqn), upserted)
      const byAlias = yield* mreg(home, ["get", "model:default/llm-finetunes/support-assistant:v3-dev"])
      assert.deepStrictEqual(json(byAlias), upserted)
      const latest = yield* mreg(home, ["get", "model:default/llm-finetunes/support-assistant:latest"])
      assert.deepStrictEqual(json(latest), upserted)
      const model = yield* mreg(home, ["get", "model:default/llm-finetunes/support-assistant"])
      assert.deepStrictEqual([model.code, model.stderr], [
        2,
        "error: invalid FQN \"model:default/llm-finetunes/support-assistant\": names a model, not a model version: add :{version}, :{alias} or :latest (received \"model:default/llm-finetunes/support-assistant\")\n"
      ])
      const byId = yield* mreg(home, ["get", upserted.data.id])
      assert.deepStrictEqual(json(byId), upserted)
      assert.strictEqual(byId.stdout, `${JSON.stringify(upserted, null, 2)}\n`)
    }))

  itHome("--output table shows key/value lines", (home) =>
    Effect.gen(function*() {
      const upserted = json(yield* mreg(home, ["upsert", "-f", LLAMA]))
      const run = yield* mreg(home, ["get", upserted.data.id, "--output", "table"])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.match(run.stdout, new RegExp(`^ID: +${upserted.data.id}$`, "m"))
      assert.match(run.stdout, /^FQN: +model:default\/llm-finetunes\/support-assistant:1$/m)
      assert.match(run.stdout, /^Alias: +v3-dev$/m)
      assert.match(run.stdout, /^Python: +3\.11$/m)
      assert.match(run.stdout, /^ETag: +".+"$/m)
    }))

  itHome("--output yaml prints the same body as YAML, for get, list, upsert, tag and delete", (home) =>
    Effect.gen(function*() {
      const upserted = yield* mreg(home, ["upsert", "-f", LLAMA, "--output", "yaml"])
      assert.strictEqual(upserted.code, 0, upserted.stderr)
      const body = ManifestFile.parse(upserted.stdout, "out.yaml").pipe(Either.getOrThrow) as any
      const id = body.data.id
      const got = json(yield* mreg(home, ["get", id]))
      assert.deepStrictEqual(body, got)
      assert.match(upserted.stdout, /^ {4}environment:\n {6}python_version: "3\.11"$/m)
      const list = yield* mreg(home, ["list", "-o", "yaml"])
      const page = ManifestFile.parse(list.stdout, "list.yaml").pipe(Either.getOrThrow) as any
      assert.deepStrictEqual(page, json(yield* mreg(home, ["list"])))
      assert.isTrue(list.stdout.endsWith("pagination:\n  total: 1\n  offset: 0\n  limit: 100\n"))
      assert.strictEqual((yield* mreg(home, ["tag", id, "prod", "-o", "yaml"])).stdout, "{}\n")
      assert.strictEqual((yield* mreg(home, ["delete", id, "--yes", "-o", "yaml"])).stdout, "{}\n")
    }))

  itHome("an unknown id or FQN exits 4; a malformed FQN exits 2", (home) =>
    Effect.gen(function*() {
      const unknown = yield* mreg(home, ["get", "00000000-0000-0000-0000-000000000000"])
      assert.strictEqual(unknown.code, 4)
      assert.strictEqual(unknown.stdout, "")
      assert.strictEqual(unknown.stderr, "error: no model version with id \"00000000-0000-0000-0000-000000000000\" [NOT_FOUND]\n")
      const noFqn = yield* mreg(home, ["get", "model:default/nlp-team/sentiment-clf:7"])
      assert.strictEqual(noFqn.code, 4)
      assert.strictEqual(noFqn.stderr, "error: no model version with FQN \"model:default/nlp-team/sentiment-clf:7\" [NOT_FOUND]\n")
      const malformed = yield* mreg(home, ["get", "model:nlp-team"])
      assert.strictEqual(malformed.code, 2)
      assert.include(malformed.stderr, "error: invalid FQN \"model:nlp-team\"")
    }))
})

describe.concurrent("list", () => {
  itHome("filters by --name and --ml-repo and pages with --limit and --offset", (home) =>
    Effect.gen(function*() {
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* mreg(home, ["upsert", "-f", BASE])).code, 0)
      assert.strictEqual((yield* mreg(home, ["upsert", "-f", LLAMA])).code, 0)
      const versions = (body: any) => body.data.map((mv: any) => mv.manifest.version)

      const all = json(yield* mreg(home, ["list"]))
      assert.deepStrictEqual(all.pagination, { total: 4, offset: 0, limit: 100 })
      const first = json(yield* mreg(home, ["list", "--name", "sentiment-clf", "--limit", "2"]))
      assert.deepStrictEqual(versions(first), [3, 2])
      // A page with a next one carries its page token (the last version's sort key).
      const token = PageToken.make({ ml_repo: first.data[1].manifest.ml_repo, name: "sentiment-clf", version: 2 })
      assert.deepStrictEqual(first.pagination, { total: 3, offset: 0, limit: 2, next_page_token: token })
      const second = json(yield* mreg(home, ["list", "--name", "sentiment-clf", "--limit", "2", "--offset", "2"]))
      assert.deepStrictEqual(versions(second), [1])
      assert.deepStrictEqual(second.pagination, { total: 3, offset: 2, limit: 2 })
      const repo = json(yield* mreg(home, ["list", "--ml-repo", "llm-finetunes"]))
      assert.deepStrictEqual(repo.data.map((mv: any) => mv.fqn), ["model:default/llm-finetunes/support-assistant:1"])
      assert.deepStrictEqual(repo.pagination, { total: 1, offset: 0, limit: 100 })
      const none = json(yield* mreg(home, ["list", "--ml-repo", "nowhere"]))
      assert.deepStrictEqual(none, { data: [], pagination: { total: 0, offset: 0, limit: 100 } })
    }))

  itHome("--output table has ID, FQN, VERSION, ALIAS, TAGS and CREATED columns", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", LLAMA]))
      const run = yield* mreg(home, ["list", "-o", "table"])
      assert.strictEqual(run.code, 0, run.stderr)
      const lines = run.stdout.trimEnd().split("\n")
      assertLlamaRows(lines, created.data)
      assert.strictEqual(lines[2], "1 of 1 (offset 0, limit 100)")
    }))

  itHome("an out-of-range --limit exits 2 naming the flag", (home) =>
    Effect.gen(function*() {
      const run = yield* mreg(home, ["list", "--limit", "0"])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.stderr, "error: --limit must be an integer from 1 to 1000 (received \"0\")\nRun \"mreg list --help\" for usage.\n")
    }))
})

describe.concurrent("tag and delete", () => {
  itHome("tag then list --tag; a tag held by another version exits 3 unless --force", (home) =>
    Effect.gen(function*() {
      const v1 = json(yield* mreg(home, ["upsert", "-f", BASE])).data
      const v2 = json(yield* mreg(home, ["upsert", "-f", BASE])).data
      const tagged = yield* mreg(home, ["tag", v1.id, "prod", "Stable"])
      assert.strictEqual(tagged.code, 0, tagged.stderr)
      assert.strictEqual(tagged.stdout, "{}\n")
      const prod = json(yield* mreg(home, ["list", "--tag", "PROD"]))
      assert.deepStrictEqual(prod.data.map((mv: any) => mv.id), [v1.id])
      assert.deepStrictEqual(prod.data[0].tags, ["Stable", "prod"])
      assert.deepStrictEqual(prod.pagination, { total: 1, offset: 0, limit: 100 })

      const clash = yield* mreg(home, ["tag", v2.id, "prod"])
      assert.strictEqual(clash.code, 3)
      assert.include(clash.stderr, "[TAG_IN_USE]")
      const moved = yield* mreg(home, ["tag", v2.id, "prod", "--force"])
      assert.strictEqual(moved.code, 0, moved.stderr)
      const after = json(yield* mreg(home, ["list", "--tag", "prod"]))
      assert.deepStrictEqual(after.data.map((mv: any) => mv.id), [v2.id])

      const invalid = yield* mreg(home, ["tag", v2.id, "no spaces"])
      assert.strictEqual(invalid.code, 2)
      assert.include(invalid.stderr, "error: invalid tags (1 problem)\n  tags[0]: must be 1–128 letters")
      const unknown = yield* mreg(home, ["tag", "00000000-0000-0000-0000-000000000000", "x"])
      assert.strictEqual(unknown.code, 4)
    }))

  itHome("delete prints {}; then get exits 4, and delete again exits 4", (home) =>
    Effect.gen(function*() {
      const created = json(yield* mreg(home, ["upsert", "-f", BASE])).data
      const deleted = yield* mreg(home, ["delete", created.id, "--yes"])
      assert.strictEqual(deleted.code, 0, deleted.stderr)
      assert.strictEqual(deleted.stdout, "{}\n")
      const get = yield* mreg(home, ["get", created.id])
      assert.strictEqual(get.code, 4)
      assert.strictEqual(get.stderr, `error: no model version with id "${created.id}" [NOT_FOUND]\n`)
      const byFqn = yield* mreg(home, ["get", created.fqn])
      assert.strictEqual(byFqn.code, 4)
      const again = yield* mreg(home, ["delete", created.id, "--yes"])
      assert.strictEqual(again.code, 4)
      const next = json(yield* mreg(home, ["upsert", "-f", BASE])).data
      assert.strictEqual(next.fqn, "model:default/nlp-team/sentiment-clf:2")
    }))
})

describe.concurrent("--host and TFY_HOST (a control plane over HTTP)", () => {
  const modelVersionOf = (manifest: Record<string, unknown>) =>
    wireVersion({ ...manifest as { ml_repo: string; name: string }, version: 7 }, {
      id: "3d0c5a4e-1111-4222-8333-944455556666",
      created_by_subject: { subjectId: "ci-bot", subjectType: "serviceaccount" }
    })

  itHome("an invalid manifest exits 2 and the server receives no request (C7)", (home) =>
    Effect.gen(function*() {
      const plane = yield* fakeControlPlane(() => ({ status: 500, body: {} }))
      const file = fixtureCase("alias-without-v.yaml")
      const run = yield* mreg(home, ["upsert", "-f", file, "--host", plane.url])
      assert.strictEqual(run.code, 2)
      assert.include(run.stderr, `error: invalid manifest ${file} (1 problem)\n  manifest.version_alias: must match `)
      assert.strictEqual(plane.received.length, 0)
    }))

  itHome("upsert PUTs {manifest} with the bearer token and an idempotency key, and prints the server's {data}", (home) =>
    Effect.gen(function*() {
      const plane = yield* fakeControlPlane((request) => ({
        status: 200,
        body: { data: modelVersionOf(JSON.parse(request.body).manifest) },
        headers: { etag: "\"rev-1\"" }
      }))
      const run = yield* mreg(home, ["upsert", "-f", fixtureCase("python-unquoted.yaml"), "--host", plane.url], {
        env: { TFY_API_KEY: "s3cret" }
      })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(plane.received.length, 1)
      const [request] = plane.received
      assert.strictEqual(request!.method, "PUT")
      assert.strictEqual(request!.url, "/api/ml/v1/model-versions")
      assert.strictEqual(request!.headers.authorization, "Bearer s3cret")
      assert.match(String(request!.headers["idempotency-key"]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      const sent = JSON.parse(request!.body)
      assert.deepStrictEqual(Object.keys(sent), ["manifest"])
      assert.strictEqual(sent.manifest.environment.python_version, "3.10")
      assert.strictEqual(sent.manifest.name, "2024")
      assert.deepStrictEqual(json(run), { data: modelVersionOf(sent.manifest) })
      assert.isFalse(existsSync(join(home, "registry.db")), "a remote upsert must not open the embedded registry")
    }))

  itHome("TFY_HOST is used without --host; the server's 404 exits 4 with its message", (home) =>
    Effect.gen(function*() {
      const plane = yield* fakeControlPlane(() => ({
        status: 404,
        body: { statusCode: 404, code: "NOT_FOUND", message: "no model version with id \"abc\"" }
      }))
      const run = yield* mreg(home, ["get", "abc"], { env: { TFY_HOST: plane.url } })
      assert.strictEqual(run.code, 4)
      assert.strictEqual(run.stderr, "error: no model version with id \"abc\" [NOT_FOUND]\n")
      assert.deepStrictEqual(plane.received.map((r) => `${r.method} ${r.url}`), ["GET /api/ml/v1/model-versions/abc"])
    }))

  /** `mreg list` with `args` and `env` exits 2 printing exactly `stderr` (or, given a RegExp, something it matches). */
  const listExits2 = (home: string, args: ReadonlyArray<string>, env: Record<string, string>, stderr: string | RegExp) =>
    Effect.map(mreg(home, ["list", ...args], { env }), (run) => {
      assert.strictEqual(run.code, 2)
      if (typeof stderr === "string") assert.strictEqual(run.stderr, stderr)
      else assert.match(run.stderr, stderr)
    })

  itHome("a --host or TFY_HOST that is not an http(s) URL exits 2", (home) =>
    Effect.gen(function*() {
      yield* listExits2(home, ["--host", "ftp://example.org"], {},
        "error: --host must be an http(s) URL such as https://acme.truefoundry.cloud (received \"ftp://example.org\")\n")
      yield* listExits2(home, [], { TFY_HOST: "example.org" }, /error: TFY_HOST must be an http\(s\) URL/)
    }))

  itHome("a bad MREG_TENANT, DATABASE_URL or a TFY_HOST with credentials exits 2, naming the variable, never a secret", (home) =>
    Effect.gen(function*() {
      yield* listExits2(home, [], { MREG_TENANT: "acme/prod" },
        "error: MREG_TENANT must be 1–512 letters, digits and \"-\", starting and ending with a letter or digit (an FQN segment, like an ML repo name) (received \"acme/prod\")\n")
      yield* listExits2(home, [], { DATABASE_URL: "mysql://root:hunter2@db/x" },
        "error: DATABASE_URL must be a postgres:// or postgresql:// URL (the value is secret and not shown)\n")
      yield* listExits2(home, [], { TFY_HOST: "https://ada:hunter2@acme.example.com" },
        "error: TFY_HOST must not contain a user name or password: give the token as the API key (the value is not shown)\n")
    }))
})
