/**
 * The root README's demo: `pnpm -s demo` prints only the stored model version's JSON on stdout (the build's log and
 * pnpm's script line stay off it), so it can be piped (`pnpm -s demo | jq -r .data.fqn`).
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { onTestFinished } from "vitest"
import { envOf, REPO_ROOT } from "./utils.js"

describe("pnpm -s demo", () => {
  it("prints the API's response body alone on stdout, version 1 then 2", { timeout: 120_000 }, () => {
    const home = mkdtempSync(join(tmpdir(), "mreg-demo-"))
    onTestFinished(() => rmSync(home, { recursive: true, force: true }))
    const demo = () => {
      const run = spawnSync("pnpm", ["-s", "demo"], { cwd: REPO_ROOT, env: envOf(home), encoding: "utf8" })
      assert.strictEqual(run.status, 0, run.stderr)
      return (JSON.parse(run.stdout) as { data: { fqn: string } }).data.fqn
    }
    assert.deepStrictEqual([demo(), demo()], ["model:default/nlp-sentiment/distilbert-sst2:1", "model:default/nlp-sentiment/distilbert-sst2:2"])
  })
})
