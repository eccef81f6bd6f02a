/**
 * Manifest input under the proxy's rules, through the bundle (issue 12, finding 8): bytes that are not UTF-8 are
 * refused with their offset (never stored as U+FFFD), and nesting deeper than `JsonText.DEFAULT_MAX_DEPTH` (64) is
 * refused naming the limit, in JSON and in YAML, from a file or stdin, up to 10,000 levels without a crash.
 */
import { assert, describe, it } from "@effect/vitest"
import { JsonText } from "@mreg/core"
import { Effect } from "effect"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { mreg, tempDir, tempHome } from "./utils.js"

/** A manifest file whose deepest value is nested `depth` levels (the wrapper, the manifest and metadata are 3). */
const nested = (depth: number): string =>
  `{"manifest": {"type": "model-version", "name": "deep", "ml_repo": "tests", "source": {"type": "external", ` +
  `"uri": "s3://b/deep/"}, "metadata": {"x": ${"[".repeat(depth - 3)}${"]".repeat(depth - 3)}}}}`

describe.concurrent("manifest input", () => {
  it("the limit is the proxy's", () => {
    assert.strictEqual(JsonText.DEFAULT_MAX_DEPTH, 64)
  })

  it.scoped("bytes that are not UTF-8: exit 2 naming the offset, nothing stored", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const dir = yield* tempDir
      const prefix = Buffer.from("manifest:\n  type: model-version\n  name: cafe\n  ml_repo: tests\n  description: caf")
      const file = join(dir, "latin1.yaml")
      writeFileSync(file, Buffer.concat([prefix, Buffer.from([0xe9]), Buffer.from("\n  metadata: {}\n  source: {type: external, uri: \"s3://b/c/\"}\n")]))
      const message = (name: string) =>
        `error: ${name} is not UTF-8 text: the byte at offset ${prefix.length} (0xE9) is not part of a UTF-8 sequence; ` +
        "save the manifest as UTF-8\n"
      assert.deepStrictEqual(yield* mreg(home, ["upsert", "-f", file]), { code: 2, stdout: "", stderr: message(file) })
      const piped = yield* mreg(home, ["validate", "-f", "-"], { stdin: readFileSync(file) })
      assert.strictEqual(piped.stderr, message("<stdin>"))
      assert.isFalse(existsSync(join(home, "registry.db")), "nothing stored")
      const utf8 = join(dir, "utf8.yaml")
      writeFileSync(utf8, Buffer.concat([prefix, Buffer.from("é\n  metadata: {}\n  source: {type: external, uri: \"s3://b/c/\"}\n")]))
      const ok = yield* mreg(home, ["validate", "-f", utf8])
      assert.strictEqual(ok.code, 0, ok.stderr)
    }))

  it.scoped("nesting: 64 levels pass, 65 and 10,000 exit 2 naming the limit, in JSON and YAML", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const dir = yield* tempDir
      for (const ext of ["json", "yaml"]) {
        const ok = join(dir, `deep64.${ext}`)
        writeFileSync(ok, nested(64))
        const run = yield* mreg(home, ["validate", "-f", ok])
        assert.deepStrictEqual(run, { code: 0, stdout: `ok: ${ok} is a valid manifest of tests/deep\n`, stderr: "" })
        for (const depth of [65, 10_000]) {
          const file = join(dir, `deep${depth}.${ext}`)
          writeFileSync(file, nested(depth))
          const refused = yield* mreg(home, ["upsert", "-f", file])
          assert.strictEqual(refused.code, 2, `${file}: ${refused.stderr}`)
          assert.strictEqual(refused.stdout, "")
          assert.match(
            refused.stderr,
            new RegExp(`^error: invalid ${ext === "json" ? "JSON" : "YAML"} in ${file}(: | at line 1, column \\d+: )nested deeper than 64 levels\\n$`),
            `${depth} levels`
          )
        }
      }
      const piped = yield* mreg(home, ["upsert", "-f", "-"], { stdin: nested(1000) })
      assert.deepStrictEqual(piped, { code: 2, stdout: "", stderr: "error: invalid JSON in <stdin> at line 1, column 210: nested deeper than 64 levels\n" })
      assert.isFalse(existsSync(join(home, "registry.db")), "nothing stored")
    }))
})
