import { assert, describe, it } from "@effect/vitest"
import { Cause, Either } from "effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { isMissingNativeBuild, missingNativeBuildMessage } from "../src/internal/sqliteDriver.js"

// The errors come from the real loaders: better-sqlite3's `bindings` package looking for an addon that was never
// built, and Node's `process.dlopen` on a file that is not a native build. `release:smoke` checks the whole path on
// a tarball installed with `npm install --ignore-scripts`.
const dir = mkdtempSync(join(tmpdir(), "mreg-sqlite-driver-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What `f` throws (fails the test when it returns). */
const thrown = (f: () => unknown): unknown => Either.getOrThrow(Either.flip(Either.try(f)))

const requireFromDriver = createRequire(createRequire(import.meta.url).resolve("better-sqlite3"))
const bindings = requireFromDriver("bindings") as (options: { bindings: string; module_root: string }) => unknown

describe("SQLite driver without a native build", () => {
  it("an addon that was never built (install script skipped) is recognised", () => {
    const error = thrown(() => bindings({ bindings: "better_sqlite3.node", module_root: dir }))
    assert.isTrue(isMissingNativeBuild(Cause.die(error)))
    assert.isTrue(isMissingNativeBuild(Cause.fail({ _tag: "SqlError", cause: error })))
  })

  it("an addon Node cannot load (another Node.js version or platform) is recognised", () => {
    const addon = join(dir, "build", "Release", "better_sqlite3.node")
    mkdirSync(join(dir, "build", "Release"), { recursive: true })
    writeFileSync(addon, "not a native build")
    const error = thrown(() => process.dlopen({ exports: {} }, addon))
    assert.strictEqual((error as { code?: unknown }).code, "ERR_DLOPEN_FAILED")
    assert.isTrue(isMissingNativeBuild(Cause.die(error)))
  })

  it("other failures to open a file are not", () => {
    const error = thrown(() => readFileSync(join(dir, "missing", "registry.db")))
    assert.isFalse(isMissingNativeBuild(Cause.die(error)))
    assert.isFalse(isMissingNativeBuild(Cause.fail(new Error("SQLITE_CANTOPEN: unable to open database file"))))
  })

  it("the message names the Node.js version and the commands that fix it", () => {
    const message = missingNativeBuildMessage("20.19.0")
    assert.isTrue(message.startsWith("the SQLite driver better-sqlite3 has no native build for Node.js 20.19.0 ("))
    assert.include(message, "`npm rebuild better-sqlite3`")
    assert.include(message, "`pnpm approve-builds`")
    assert.include(message, "DATABASE_URL")
  })
})
