/**
 * The launcher's V8 code cache is keyed by the build of the bundle: a cache written by one build is never used to
 * run another build of the same version and size (V8 itself checks only the source's length).
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { onTestFinished } from "vitest"
import { PACKAGE_DIR, REPO_ROOT } from "./utils.js"

const DIST = join(PACKAGE_DIR, "dist")
const MANIFEST = join(REPO_ROOT, "examples", "distilbert-sst2.json")

const validate = (launcher: string, cache: string) => {
  const { MREG_NO_COMPILE_CACHE: _, ...env } = process.env
  const run = spawnSync(process.execPath, [launcher, "validate", "-f", MANIFEST], {
    env: { ...env, XDG_CACHE_HOME: cache, NO_COLOR: "1" },
    encoding: "utf8"
  })
  return [run.status, run.stdout.trim()] as const
}

describe("launcher", () => {
  it("a rebuilt bundle of the same size never runs from the cache of the previous build", () => {
    const root = mkdtempSync(join(tmpdir(), "mreg-launcher-"))
    onTestFinished(() => rmSync(root, { recursive: true, force: true }))
    const cache = join(root, "cache")
    const first = validate(join(DIST, "mreg.mjs"), cache)
    assert.deepStrictEqual(first, [0, "ok: " + MANIFEST + " is a valid manifest of nlp-sentiment/distilbert-sst2"])
    assert.deepStrictEqual(validate(join(DIST, "mreg.mjs"), cache), first)

    // A second build: the same text but one message in capitals (same length), as build.mjs names it.
    const bundle = readFileSync(join(DIST, "mreg.cjs"), "utf8").replace("is a valid manifest of", "IS A VALID MANIFEST OF")
    const build = createHash("sha256").update(bundle).digest("hex").slice(0, 16)
    const launcher = readFileSync(join(DIST, "mreg.mjs"), "utf8").replace(/const BUILD = "[0-9a-f]+"/, `const BUILD = "${build}"`)
    writeFileSync(join(root, "mreg.cjs"), bundle)
    writeFileSync(join(root, "mreg.mjs"), launcher)
    assert.deepStrictEqual(
      validate(join(root, "mreg.mjs"), cache),
      [0, "ok: " + MANIFEST + " IS A VALID MANIFEST OF nlp-sentiment/distilbert-sst2"]
    )
  })
})
