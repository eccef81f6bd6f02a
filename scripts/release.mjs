#!/usr/bin/env node
// Release tooling for the published packages (@mreg/core, @mreg/registry, @mreg/client, @mreg/cli, @mreg/proxy).
//   node scripts/release.mjs pack   — build everything, then `pnpm pack` each package into .tmp/release/
//   node scripts/release.mjs check  — pack, then `publint --strict` and `attw --pack --profile esm-only` on each
//   node scripts/release.mjs smoke  — pack, then install the tarballs into an empty folder with npm and use them
//                                     as a new user would: the client (with core and registry), then the CLI and the
//                                     proxy, with no npm warning; LICENSE, README, metadata, no .tsbuildinfo or tests
//                                     in each; each package imports; `npx mreg --help`, an embedded `mreg upsert`;
//                                     the client from .mjs and .cjs; the READMEs' examples; the proxy's web page
//                                     (dist/ui); the installed mreg-proxy on SQLite (its bundle, /ui/, /docs, and a
//                                     webhook from its worker thread to a local receiver); and in a second folder,
//                                     `npm install --ignore-scripts`: mreg, mreg-proxy and the client name the
//                                     missing native SQLite build and how to fix it (exit 1).
// Exits non-zero on the first failure, with the failing command's output.
import { spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import semver from "semver"
import { startServer } from "../bench/lib.mjs"

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

// The packages' names by folder, and the tarball of each (`pnpm pack` names them `mreg-core-0.1.0.tgz`, …).
const tarballOf = (tarballs, dir) => {
  const name = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).name
  const file = tarballs.find((t) => t.split(/[\\/]/).pop().startsWith(`${name.replace("@", "").replace("/", "-")}-`))
  if (file === undefined) throw new Error(`no tarball for ${name}`)
  return file
}

/**
 * An empty folder with a package.json. `allowScripts` is npm 11's list of dependencies whose install scripts may
 * run (npm warns about any other); older npm ignores the field. better-sqlite3 builds the SQLite addon; the other two
 * are optional native accelerators of @effect/platform.
 */
const emptyFolder = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const allowScripts = { "better-sqlite3": true, "@parcel/watcher": true, "msgpackr-extract": true }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "smoke", private: true, version: "0.0.0", allowScripts }))
  return dir
}

/** `npm install` as a new user runs it; fails on any warning (ERESOLVE, EBADENGINE, deprecations…) on stderr. */
const npmInstall = (dir, args) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key) || /^npm_config_(registry|cache|.*proxy)$/i.test(key)))
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier", ...args], { cwd: dir, encoding: "utf8", env })
  const warnings = (result.stderr ?? "").split("\n").filter((line) => /^npm (warn|WARN|ERR)/.test(line))
  if (result.status !== 0 || warnings.length > 0) {
    throw new Error(`\`npm install ${args.map((a) => a.split(/[\\/]/).pop()).join(" ")}\` ${result.status !== 0 ? `failed (exit ${result.status})` : "warned"}:\n${result.stderr}`)
  }
}

/**
 * The installed packages (`name@version`) whose `engines.node` does not admit the oldest Node.js mreg supports (the
 * root package.json's `engines.node`, e.g. 20.19.0): npm only warns about the Node.js that runs it.
 */
const OLDEST_NODE = semver.minVersion(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node).version
const enginesRefusing = (dir) =>
  readdirSync(join(dir, "node_modules"), { recursive: true })
    .map(String)
    .filter((file) => /(^|[\\/])node_modules[\\/](@[^\\/]+[\\/])?[^@\\/][^\\/]*[\\/]package\.json$/.test(`node_modules/${file}`))
    .map((file) => JSON.parse(readFileSync(join(dir, "node_modules", file), "utf8")))
    .filter((pkg) => typeof pkg.engines?.node === "string" && !semver.satisfies(OLDEST_NODE, pkg.engines.node))
    .map((pkg) => `${pkg.name}@${pkg.version} (engines.node ${pkg.engines.node})`)

/** Runs a command in `dir`; resolves to `{status, stdout, stderr}` without failing. */
const attempt = (command, args, options) => spawnSync(command, args, { encoding: "utf8", ...options })

/** The first ```js block after "## Example" in a package's README: its runnable example. */
const readmeExample = (dir) => {
  const text = readFileSync(join(root, dir, "README.md"), "utf8")
  const match = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(text)
  if (match === null) throw new Error(`${dir}/README.md has no \`## Example\` with a js block`)
  return match[1]
}

/**
 * The installed `mreg-proxy` of `dir` on SQLite, with a webhooks file whose receiver is a local server: an upsert of
 * `request` (an upsert request body, `{"manifest": …}`) through it answers 200, its webhook arrives signed (the
 * worker thread bundled beside the program), and `/ui/` and `/docs` answer 200 with HTML. Throws on the first
 * difference.
 */
const proxySmoke = async (dir, env, request) => {
  const received = []
  const receiver = createServer((req, res) => {
    let body = ""
    req.on("data", (chunk) => body += chunk)
    req.on("end", () => {
      received.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  const hooks = join(dir, "webhooks.json")
  writeFileSync(hooks, JSON.stringify({
    subscriptions: [{ name: "smoke", url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ["created"], secret: `whsec_${randomBytes(32).toString("base64")}` }]
  }))
  const proxy = await startServer("mreg-proxy", [join(dir, "node_modules", "@mreg", "proxy", "dist", "bin.js"), "--insecure-no-auth", "--port", "0", "--webhooks-file", hooks], {
    env: { ...env, MREG_HOME: join(dir, "proxy-home") },
    logFile: join(dir, "proxy.log")
  })
  try {
    const put = await fetch(`${proxy.url}/api/ml/v1/model-versions`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(request) })
    const stored = await put.json()
    if (put.status !== 200) throw new Error(`mreg-proxy: PUT /api/ml/v1/model-versions answered ${put.status}: ${JSON.stringify(stored)}`)
    for (const path of ["/ui/", "/docs"]) {
      const page = await fetch(`${proxy.url}${path}`)
      const text = await page.text()
      if (page.status !== 200 || !/<html/i.test(text)) throw new Error(`mreg-proxy: GET ${path} answered ${page.status} without an HTML page`)
    }
    for (let waited = 0; received.length === 0 && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
    const [hook] = received
    if (hook === undefined) throw new Error(`mreg-proxy: no webhook within 20 s\n${proxy.log().slice(-2000)}`)
    const payload = JSON.parse(hook.body)
    if (!hook.headers["webhook-id"] || !hook.headers["webhook-signature"]?.startsWith("v1,") || payload.type !== "model_version.created" || payload.data.model_version.id !== stored.data.id) {
      throw new Error(`mreg-proxy: unexpected webhook ${JSON.stringify({ headers: hook.headers, type: payload.type })}`)
    }
  } finally {
    await proxy.stop()
    receiver.close()
  }
}

const smoke = async () => {
  const tarballs = pack()
  const tarball = (dir) => tarballOf(tarballs, dir)
  const dir = emptyFolder("mreg-smoke-")
  const bare = emptyFolder("mreg-smoke-no-scripts-")
  const env = { ...process.env, MREG_HOME: join(dir, "home"), TFY_HOST: "", TFY_API_KEY: "", DATABASE_URL: "" }
  const check = (ok, what) => {
    if (!ok) throw new Error(what)
  }
  try {
    // 1. The client with its workspace dependencies' tarballs (what `npm install @mreg/client` fetches), then the
    //    CLI and the proxy: no warning on stderr.
    npmInstall(dir, ["packages/client", "packages/core", "packages/registry"].map(tarball))
    npmInstall(dir, ["apps/cli", "apps/proxy"].map(tarball))
    const refusing = enginesRefusing(dir)
    check(refusing.length === 0, `dependencies that refuse Node.js ${OLDEST_NODE}: ${refusing.join(", ")}`)
    console.log("smoke: npm install of the client (with core, registry), then the CLI and the proxy: no warning; every engines.node admits the oldest Node.js supported")

    // 2. Every package: LICENSE, metadata, no build info or tests; each one loads.
    for (const pkg of packages) {
      const installed = join(dir, "node_modules", JSON.parse(readFileSync(join(root, pkg, "package.json"), "utf8")).name)
      const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))
      check(existsSync(join(installed, "LICENSE")) && readFileSync(join(installed, "LICENSE"), "utf8").startsWith("MIT License"), `${manifest.name}: no MIT LICENSE file`)
      check(existsSync(join(installed, "README.md")), `${manifest.name}: no README.md`)
      for (const field of ["description", "license", "author", "homepage", "bugs", "keywords"]) check(manifest[field] !== undefined, `${manifest.name}: no "${field}"`)
      check(manifest.repository?.directory === pkg, `${manifest.name}: repository.directory is not ${pkg}`)
      const stray = readdirSync(installed, { recursive: true }).filter((f) => /\.tsbuildinfo$|\.test\.[cm]?[jt]s$/.test(String(f)))
      check(stray.length === 0, `${manifest.name} ships ${stray.join(", ")}`)
    }
    for (const name of ["@mreg/core", "@mreg/registry", "@mreg/client", "@mreg/proxy"]) {
      const loaded = run("node", ["--input-type=module", "-e", `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length)`], { cwd: dir, env })
      check(Number(loaded) > 0, `import of ${name} exported nothing`)
    }
    // The web page mreg-proxy serves at /ui/: index.html and every file it names, inside the package.
    const ui = join(dir, "node_modules", "@mreg", "proxy", "dist", "ui")
    const page = existsSync(join(ui, "index.html")) ? readFileSync(join(ui, "index.html"), "utf8") : ""
    const named = [...page.matchAll(/(?:src|href)="\/ui\/([^"]+)"/g)].map((match) => match[1])
    check(named.length >= 2 && named.every((file) => existsSync(join(ui, file))), `@mreg/proxy: dist/ui lacks the web page or a file it names (${named.join(", ") || "no index.html"})`)
    console.log("smoke: each package has LICENSE, README, metadata, no .tsbuildinfo or tests, and imports; @mreg/proxy ships the web page")

    // 3. The CLI: help, an embedded upsert.
    const help = run("npx", ["--no-install", "mreg", "--help"], { cwd: dir, env })
    check(help.includes("upsert"), "`mreg --help` does not list upsert")
    const manifest = JSON.parse(readFileSync(join(root, "examples", "distilbert-sst2.json"), "utf8"))
    writeFileSync(join(dir, "m.json"), JSON.stringify(manifest))
    const upserted = JSON.parse(run("npx", ["--no-install", "mreg", "upsert", "-f", "m.json"], { cwd: dir, env }))
    check(upserted.data.fqn === "model:default/nlp-sentiment/distilbert-sst2:1", `unexpected fqn ${upserted.data.fqn}`)

    // 4. The client from ESM and CommonJS, and the runnable examples of the READMEs.
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
      check(got.total === 1 && got.fqn === "model:default/nlp-sentiment/distilbert-sst2:1", `${file} printed ${JSON.stringify(got)}`)
    }
    const examples = {
      "packages/core": ['did you mean "text-classification"', "model:default/nlp/sentiment-clf:1"],
      "packages/registry": ["model:default/nlp/sentiment-clf:1"]
    }
    for (const [pkg, expected] of Object.entries(examples)) {
      writeFileSync(join(dir, "example.mjs"), readmeExample(pkg))
      const printed = run("node", ["example.mjs"], { cwd: dir, env })
      for (const text of expected) check(printed.includes(text), `the example of ${pkg}/README.md did not print ${text}:\n${printed}`)
    }
    run("node", [join("node_modules", "@mreg", "client", "examples", "embedded.mjs")], { cwd: dir, env })
    console.log("smoke: npx mreg --help, embedded mreg upsert, client from .mjs and .cjs, README examples: ok")

    // 5. The installed proxy on SQLite: its bundle, web page, API docs and webhook worker.
    await proxySmoke(dir, env, manifest)
    console.log("smoke: mreg-proxy on SQLite: an upsert, /ui/, /docs, and its webhook delivered signed by the worker thread: ok")

    // 6. Install scripts skipped: the SQLite driver has no native build; the CLI, the proxy and the client say so.
    npmInstall(bare, ["--ignore-scripts", ...["apps/cli", "apps/proxy", "packages/client", "packages/core", "packages/registry"].map(tarball)])
    const bareEnv = { ...env, MREG_HOME: join(bare, "home") }
    writeFileSync(join(bare, "m.json"), JSON.stringify(manifest))
    writeFileSync(join(bare, "client.mjs"), script("esm"))
    const expected = `the SQLite driver better-sqlite3 has no native build for Node.js ${process.versions.node} (`
    const attempts = {
      "mreg upsert": attempt("npx", ["--no-install", "mreg", "upsert", "-f", "m.json"], { cwd: bare, env: bareEnv }),
      "mreg-proxy": attempt("npx", ["--no-install", "mreg-proxy", "--insecure-no-auth", "--port", "0"], { cwd: bare, env: bareEnv, timeout: 60_000 }),
      "the client": attempt("node", ["client.mjs"], { cwd: bare, env: bareEnv })
    }
    for (const [what, result] of Object.entries(attempts)) {
      check(result.status === 1 && result.stderr.includes(expected) && result.stderr.includes("npm rebuild better-sqlite3"),
        `${what} without the native SQLite build: exit ${result.status ?? result.signal}, stderr:\n${result.stderr}`)
    }
    console.log("smoke: npm install --ignore-scripts: mreg, mreg-proxy and the client name the missing SQLite build, exit 1")
  } catch (error) {
    console.error(`smoke: ${error.message}`)
    process.exitCode = 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
    rmSync(bare, { recursive: true, force: true })
  }
}

const command = process.argv[2]
if (command === "pack") pack()
else if (command === "check") check()
else if (command === "smoke") await smoke()
else {
  console.error("usage: node scripts/release.mjs pack|check|smoke")
  process.exit(2)
}
