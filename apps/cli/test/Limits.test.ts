import { assert, describe, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bundle = fileURLToPath(new URL("../dist/mreg.mjs", import.meta.url))

const mreg = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const home = mkdtempSync(join(tmpdir(), "mreg-limits-"))
  try {
    const result = spawnSync(process.execPath, [bundle, ...args], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: home, MREG_HOME: home, ...env },
      timeout: 30_000
    })
    return { status: result.status, stdout: result.stdout, stderr: result.stderr }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

describe("input limits", () => {
  it("an endless file (/dev/zero) stops at 16 MiB with exit 2", () => {
    const result = mreg(["validate", "-f", "/dev/zero"])
    assert.strictEqual(result.status, 2)
    assert.strictEqual(result.stderr, "error: /dev/zero is larger than 16777216 bytes (16 MiB): not a manifest\n")
  })

  it("a FIFO is refused before it is opened (no hang): exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "mreg-fifo-"))
    try {
      const fifo = join(dir, "f.yaml")
      execFileSync("mkfifo", [fifo])
      const result = mreg(["validate", "-f", fifo])
      assert.strictEqual(result.status, 2)
      assert.strictEqual(result.stderr, `error: cannot read ${fifo}: it is not a regular file (FIFO)\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a folder is not a manifest file", () => {
    const result = mreg(["validate", "-f", tmpdir()])
    assert.strictEqual(result.status, 2)
    assert.strictEqual(result.stderr, `error: cannot read ${tmpdir()}: it is a folder, not a manifest file\n`)
  })

  it("--api-key is accepted and never printed", () => {
    const result = mreg(["list", "--host", "http://127.0.0.1:9", "--api-key", "s3cret-token-value"])
    assert.strictEqual(result.status, 1)
    assert.notInclude(result.stdout + result.stderr, "s3cret-token-value")
    assert.include(result.stderr, "cannot reach 127.0.0.1:9")
  })
})
