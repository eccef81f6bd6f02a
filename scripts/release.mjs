#!/usr/bin/env node
// Release tooling for the published packages (@mreg/core, @mreg/registry, @mreg/client, @mreg/cli, @mreg/proxy).
//   node scripts/release.mjs pack   — build everything, then `pnpm pack` each package into .tmp/release/
//   node scripts/release.mjs check  — pack, then `publint --strict` and `attw --pack --profile esm-only` on each
//   node scripts/release.mjs smoke  — pack, then install the tarballs into an empty folder with npm and use them
//                                     as a new user would: `npx mreg --help`, an embedded `mreg upsert`, and the
//                                     client from a plain .mjs and a .cjs file.
// Exits non-zero on the first failure, with the failing command's output.
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const out = join(root, ".tmp", "release")
const packages = ["packages/core", "packages/registry", "packages/client", "apps/cli", "apps/proxy"]
const bin = (name) => join(root, "node_modules", ".bin", name)

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" }, ...options })
  if (result.status !== 0) {
    process.stderr.write(`\n$ ${command} ${args.join(" ")}\n${result.stdout ?? ""}${result.stderr ?? ""}\n`)
    console.error(`release: \`${command} ${args.join(" ")}\` failed (exit ${result.status ?? result.signal})`)
    process.exit(1)
  }
  return result.stdout
}

const pack = () => {
  run(bin("turbo"), ["run", "build", "--output-logs=errors-only"])
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  for (const dir of packages) run("pnpm", ["pack", "--pack-destination", out], { cwd: join(root, dir) })
  const tarballs = readdirSync(out).filter((f) => f.endsWith(".tgz")).map((f) => join(out, f))
  console.log(`packed ${tarballs.length} tarballs into ${out}`)
  return tarballs
}

const check = () => {
  pack()
  for (const dir of packages) {
    const cwd = join(root, dir)
    run(bin("publint"), ["--strict"], { cwd })
    run(bin("attw"), ["--pack", ".", "--profile", "esm-only", ...(dir === "apps/cli" ? ["--entrypoints", "./package.json"] : [])], { cwd })
    console.log(`${dir}: publint --strict and attw --pack: no problems`)
  }
}

const smoke = () => {
  const tarballs = pack()
  const dir = mkdtempSync(join(tmpdir(), "mreg-smoke-"))
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "smoke", private: true, version: "0.0.0" }))
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], { cwd: dir })
    const env = { ...process.env, MREG_HOME: join(dir, "home"), TFY_HOST: "", TFY_API_KEY: "" }
    const help = run("npx", ["--no-install", "mreg", "--help"], { cwd: dir, env })
    if (!help.includes("upsert")) throw new Error("`mreg --help` does not list upsert")
    const manifest = JSON.parse(readFileSync(join(root, "examples", "distilbert-sst2.json"), "utf8"))
    writeFileSync(join(dir, "m.json"), JSON.stringify(manifest))
    const upserted = JSON.parse(run("npx", ["--no-install", "mreg", "upsert", "-f", "m.json"], { cwd: dir, env }))
    if (upserted.data.fqn !== "model:default/nlp-sentiment/distilbert-sst2:1") throw new Error(`unexpected fqn ${upserted.data.fqn}`)
    const script = (kind) => `${kind === "cjs" ? `const { createClient } = require("@mreg/client")` : `import { createClient } from "@mreg/client"`}
const main = async () => {
  const client = createClient({ embedded: { home: process.env.MREG_HOME } })
  const page = await client.modelVersions.list({ ml_repo: "nlp-sentiment" })
  console.log(JSON.stringify({ total: page.pagination.total, fqn: page.data[0].fqn }))
  await client.close()
}
main().catch((error) => { console.error(error); process.exit(1) })
`
    writeFileSync(join(dir, "client.mjs"), script("esm"))
    writeFileSync(join(dir, "client.cjs"), script("cjs"))
    for (const file of ["client.mjs", "client.cjs"]) {
      const got = JSON.parse(run("node", [file], { cwd: dir, env }))
      if (got.total !== 1 || got.fqn !== "model:default/nlp-sentiment/distilbert-sst2:1") {
        throw new Error(`${file} printed ${JSON.stringify(got)}`)
      }
    }
    console.log("smoke: npx mreg --help, embedded mreg upsert, client from .mjs and .cjs: ok")
  } catch (error) {
    console.error(`smoke: ${error.message}`)
    process.exit(1)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const command = process.argv[2]
if (command === "pack") pack()
else if (command === "check") check()
else if (command === "smoke") smoke()
else {
  console.error("usage: node scripts/release.mjs pack|check|smoke")
  process.exit(2)
}
