/**
 * The built `mreg-proxy` binary as a process: it starts on port 0 with a tokens file and a temp MREG_HOME, stores a
 * version, finishes a request in flight when SIGTERM arrives, exits 0, and leaves a SQLite file that passes
 * `PRAGMA integrity_check`. It refuses unsafe configurations with a message and exit code 1.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { app, bin, listeningUrl, type Proc, root, start as startIn, waitFor } from "./proc.js"
import { base } from "./utils.js"

const home = mkdtempSync(join(tmpdir(), "mreg-proxy-bin-"))
const TOKEN = "proc-token-abcdef0123456789"

const TOKENS_YAML = `# tokens of the process test
tokens:
  - token: "${TOKEN}"
    subject: { subjectId: sa-ci, subjectType: serviceaccount, subjectSlug: ci }
    scopes:
      - { ml_repo: "*", access: write }
`

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"], { cwd: app, stdio: "pipe" })
  execFileSync(process.execPath, ["build.mjs"], { cwd: app, stdio: "pipe" }) // dist/bundle, what dist/bin.js runs
  writeFileSync(join(home, "tokens.yaml"), TOKENS_YAML)
}, 120_000)
afterAll(() => rmSync(home, { recursive: true, force: true }))

const start = (args: ReadonlyArray<string>, env: Record<string, string>): Proc => startIn(home, args, env)

describe("mreg-proxy process", () => {
  it("serves on port 0, finishes an in-flight request on SIGTERM, exits 0, leaves an intact SQLite file", { timeout: 60_000 }, async () => {
    const proc = start([], { PORT: "0", MREG_TOKENS_FILE: join(home, "tokens.yaml") })
    const url = await listeningUrl(proc)
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)

    const first = await fetch(`${url}/api/ml/v1/model-versions`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ manifest: base("proc-repo") })
    })
    assert.strictEqual(first.status, 200)
    const created = (await first.json()) as any
    assert.strictEqual(created.data.fqn, "model:default/proc-repo/sentiment-clf:1")
    assert.deepStrictEqual(created.data.created_by_subject, { subjectId: "sa-ci", subjectType: "serviceaccount", subjectSlug: "ci" })

    // A request in flight: headers and half the body now, the rest after SIGTERM.
    const body = JSON.stringify({ manifest: base("proc-repo", { metadata: { slow: true } }) })
    const half = Math.floor(body.length / 2)
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/api/ml/v1/model-versions`, {
        method: "PUT",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }
      }, (res) => {
        let text = ""
        res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve({ status: res.statusCode!, text }))
      })
      req.on("error", reject)
      req.write(body.slice(0, half))
      setTimeout(() => {
        proc.child.kill("SIGTERM")
        setTimeout(() => req.end(body.slice(half)), 500)
      }, 200)
    })
    const answer = await inFlight
    assert.strictEqual(answer.status, 200)
    assert.strictEqual(JSON.parse(answer.text).data.manifest.version, 2)

    const code = await proc.exit
    assert.strictEqual(code, 0)
    assert.deepStrictEqual(proc.stderr, [])

    const requests = proc.stdout.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "request")
    assert.deepStrictEqual(requests.map((r) => [r.method, r.path, r.status, r.subject]), [
      ["PUT", "/api/ml/v1/model-versions", 200, "sa-ci"],
      ["PUT", "/api/ml/v1/model-versions", 200, "sa-ci"]
    ])
    assert.isFalse(proc.stdout.some((line) => line.includes(TOKEN)))
    // The last line, after the request in flight was answered: the shutdown was clean.
    const last = JSON.parse(proc.stdout.at(-1)!)
    assert.deepStrictEqual([last.msg, last.level], ["stopped", "info"])

    const Database = createRequire(join(root, "packages", "registry", "package.json"))("better-sqlite3")
    const db = new Database(join(home, "store", "registry.db"), { readonly: true })
    try {
      assert.strictEqual(db.pragma("integrity_check", { simple: true }), "ok")
      assert.deepStrictEqual(db.prepare("SELECT version FROM model_versions ORDER BY version").all(), [{ version: 1 }, { version: 2 }])
    } finally {
      db.close()
    }
  })

  it("mreg upsert --host stores a version through the proxy process", { timeout: 60_000 }, async () => {
    const proc = start([], { PORT: "0", MREG_TOKENS_FILE: join(home, "tokens.yaml"), MREG_HOME: join(home, "via-cli") })
    const url = await listeningUrl(proc)
    const cli = spawnSync(process.execPath, [
      join(root, "apps", "cli", "dist", "mreg.mjs"), "upsert", "--host", url, "-f", join(root, "examples", "base.json")
    ], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: home, TFY_API_KEY: TOKEN }, timeout: 30_000 })
    assert.strictEqual(cli.status, 0)
    const printed = JSON.parse(cli.stdout)
    assert.strictEqual(printed.data.fqn, "model:default/nlp-team/sentiment-clf:1")
    assert.deepStrictEqual(printed.data.created_by_subject, { subjectId: "sa-ci", subjectType: "serviceaccount", subjectSlug: "ci" })
    proc.child.kill("SIGTERM")
    assert.strictEqual(await proc.exit, 0)
    const requests = proc.stdout.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "request")
    assert.deepStrictEqual(requests.map((r) => [r.method, r.path, r.status]), [["PUT", "/api/ml/v1/model-versions", 200]])
  })

  it("refuses to start without a tokens file, with --insecure-no-auth off loopback, or with a bad tokens file", { timeout: 60_000 }, async () => {
    const noTokens = start([], { PORT: "0" })
    assert.strictEqual(await noTokens.exit, 1)
    assert.strictEqual(
      noTokens.stderr.join(""),
      "mreg-proxy: no tokens file: set MREG_TOKENS_FILE or --tokens-file (see examples/tokens.yaml), or pass --insecure-no-auth to serve without authentication on loopback\n"
    )

    const open = start(["--insecure-no-auth", "--host", "0.0.0.0"], { PORT: "0" })
    assert.strictEqual(await open.exit, 1)
    assert.strictEqual(
      open.stderr.join(""),
      "mreg-proxy: --insecure-no-auth serves without authentication and binds only a loopback address (127.0.0.1, ::1, localhost); HOST is \"0.0.0.0\"\n"
    )

    writeFileSync(join(home, "bad.yaml"), "tokens:\n  - token: short\n    subject: { subjectId: x, subjectType: user }\n    scopes: [{ ml_repo: \"nlp-*\", access: admin }]\n")
    const bad = start(["--tokens-file", join(home, "bad.yaml")], { PORT: "0" })
    assert.strictEqual(await bad.exit, 1)
    const message = bad.stderr.join("")
    assert.strictEqual(
      message,
      `mreg-proxy: the tokens file ${join(home, "bad.yaml")} is not a valid tokens file: tokens[0].token: must be a string of at least 16 printable ASCII characters; tokens[0].scopes[0].access: must be one of "read", "write" (received "admin")\n`
    )
    assert.isFalse(message.includes("short"))
  })

  it("delivers a webhook from the built binary (the registry's worker thread, beside the bundle)", { timeout: 60_000 }, async () => {
    const bodies: Array<{ url: string | undefined; body: any }> = []
    const receiver = createServer((req, res) => {
      let text = ""
      req.setEncoding("utf8").on("data", (chunk: string) => (text += chunk)).on("end", () => {
        bodies.push({ url: req.url, body: JSON.parse(text) })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    try {
      const { port } = receiver.address() as AddressInfo
      const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`
      writeFileSync(join(home, "webhooks.json"), JSON.stringify({ subscriptions: [{ name: "bin", url: `http://127.0.0.1:${port}/hook`, events: ["created"], secret }] }))
      const proc = start(["--insecure-no-auth", "--port", "0", "--webhooks-file", join(home, "webhooks.json")], { MREG_HOME: join(home, "hooked") })
      const url = await listeningUrl(proc)
      const answer = await fetch(`${url}/api/ml/v1/model-versions`, { method: "PUT", body: JSON.stringify({ manifest: base("hook-repo") }) })
      assert.strictEqual(answer.status, 200)
      await waitFor("the delivery", () => (bodies.length > 0 ? true : undefined))
      assert.deepStrictEqual(
        [bodies[0].url, bodies[0].body.type, bodies[0].body.data.model_version.fqn],
        ["/hook", "model_version.created", "model:default/hook-repo/sentiment-clf:1"]
      )
      proc.child.kill("SIGTERM")
      assert.strictEqual(await proc.exit, 0)
    } finally {
      receiver.close()
    }
  })

  it("--insecure-no-auth on loopback serves everyone as anonymous", { timeout: 60_000 }, async () => {
    const proc = start(["--insecure-no-auth", "--port", "0"], {})
    const url = await listeningUrl(proc)
    const answer = await fetch(`${url}/api/svc/v1/model-versions`, { method: "PUT", body: JSON.stringify({ manifest: base("open-repo") }) })
    assert.strictEqual(answer.status, 200)
    assert.strictEqual(((await answer.json()) as any).data.created_by_subject.subjectId, "anonymous")
    proc.child.kill("SIGINT")
    assert.strictEqual(await proc.exit, 0)
  })

  it("an integer variable set to the empty string or spaces is unset: its default applies, as for PORT", { timeout: 60_000 }, async () => {
    const proc = start(["--insecure-no-auth", "--port", "0"], { MREG_MAX_BODY_BYTES: "", MREG_UPSTREAM_RETRIES: "  " })
    const url = await listeningUrl(proc)
    // The default limit, 1 MiB: a 2 MiB body is a 413 naming it.
    const answer = await fetch(`${url}/api/ml/v1/model-versions`, { method: "PUT", body: "x".repeat(2 * 1024 * 1024) })
    assert.strictEqual(answer.status, 413)
    assert.strictEqual(((await answer.json()) as any).message, "the request body is 2097152 bytes; the limit is 1048576 bytes")
    proc.child.kill("SIGINT")
    assert.strictEqual(await proc.exit, 0)
  })

  it("an unknown flag is named, with the closest flag, instead of an invalid subcommand", { timeout: 60_000 }, async () => {
    const typo = start(["--tokens-file", "examples/tokens.yaml", "--prot", "9000"], {})
    assert.strictEqual(await typo.exit, 1)
    assert.strictEqual(typo.stderr.join(""), "mreg-proxy: unknown flag --prot for \"mreg-proxy\"; did you mean --port? (mreg-proxy --help lists the flags)\n")
    const unknown = start(["--port=0", "--bogus"], {})
    assert.strictEqual(await unknown.exit, 1)
    assert.strictEqual(unknown.stderr.join(""), "mreg-proxy: unknown flag --bogus for \"mreg-proxy\" (mreg-proxy --help lists the flags)\n")
    const replay = start(["webhooks", "replay", "--hom", "/tmp", "msg_1"], {})
    assert.strictEqual(await replay.exit, 1)
    assert.strictEqual(
      replay.stderr.join(""),
      "mreg-proxy: unknown flag --hom for \"mreg-proxy webhooks replay\"; did you mean --home? (mreg-proxy webhooks replay --help lists the flags)\n"
    )
  })

  it("a non-integer value of an integer flag names the flag, its rule and the value, as a bad PORT does", { timeout: 60_000 }, async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--port", "abc"], "--port (PORT) must be an integer from 0 to 65535 (received \"abc\")"],
      [["--port=abc"], "--port (PORT) must be an integer from 0 to 65535 (received \"abc\")"],
      [["--header-timeout", "x"], "--header-timeout (MREG_HEADER_TIMEOUT) must be an integer number of seconds from 1 to 3600 (received \"x\")"],
      [["--body-timeout", "1.5"], "--body-timeout (MREG_BODY_TIMEOUT) must be an integer number of seconds from 1 to 3600 (received \"1.5\")"],
      [["--max-body-bytes", "1MB"], "--max-body-bytes (MREG_MAX_BODY_BYTES) must be a positive integer (received \"1MB\")"],
      [["--upstream-timeout-ms="], "--upstream-timeout-ms (MREG_UPSTREAM_TIMEOUT_MS) must be a positive integer (received \"\")"],
      [["--upstream-retries", "-1"], "--upstream-retries (MREG_UPSTREAM_RETRIES) must be an integer from 0 to 10 (received \"-1\")"]
    ]
    for (const [args, message] of cases) {
      const proc = start([...args, "--insecure-no-auth"], {})
      assert.strictEqual(await proc.exit, 1, args.join(" "))
      assert.strictEqual(proc.stderr.join(""), `mreg-proxy: ${message}\n`)
    }
  })

  it("a bad integer in an integer flag's environment variable names the flag, the variable, the rule and the value", { timeout: 60_000 }, async () => {
    const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
      [{ PORT: "abc" }, "--port (PORT) must be an integer from 0 to 65535 (received \"abc\")"],
      [{ PORT: "99999" }, "--port (PORT) must be an integer from 0 to 65535 (received \"99999\")"],
      [{ MREG_BODY_TIMEOUT: "abc" }, "--body-timeout (MREG_BODY_TIMEOUT) must be an integer number of seconds from 1 to 3600 (received \"abc\")"],
      [{ MREG_UPSTREAM_RETRIES: "11" }, "--upstream-retries (MREG_UPSTREAM_RETRIES) must be an integer from 0 to 10 (received \"11\")"]
    ]
    for (const [env, message] of cases) {
      const proc = start(["--insecure-no-auth"], env)
      assert.strictEqual(await proc.exit, 1, JSON.stringify(env))
      assert.strictEqual(proc.stderr.join(""), `mreg-proxy: ${message}\n`)
    }
    // --help reads no setting: it is shown whatever the environment holds.
    const help = start(["--help"], { PORT: "abc" })
    assert.strictEqual(await help.exit, 0)
    assert.isTrue(help.stdout.join("\n").startsWith("mreg-proxy\n"))
  })

  it("mreg and mreg-proxy read an integer by one rule: +5, -0 and 1e3 are refused by both with the same words", { timeout: 60_000 }, async () => {
    for (const input of ["+5", "-0", "1e3"]) {
      const proxy = start(["--upstream-retries", input, "--insecure-no-auth"], {})
      assert.strictEqual(await proxy.exit, 1, input)
      assert.strictEqual(proxy.stderr.join(""), `mreg-proxy: --upstream-retries (MREG_UPSTREAM_RETRIES) must be an integer from 0 to 10 (received "${input}")\n`)
      const cli = spawnSync(process.execPath, [join(root, "apps", "cli", "dist", "mreg.mjs"), "list", "--offset", input], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: home, MREG_HOME: join(home, "cli-integers") },
        timeout: 30_000
      })
      assert.strictEqual(cli.status, 2, input)
      assert.strictEqual(cli.stderr, `error: --offset must be an integer, 0 or more (received "${input}")\nRun "mreg list --help" for usage.\n`)
    }
  })

  /** Each command line exits 1 with its one-line message on stderr. */
  const expectUsageErrors = async (cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]>) => {
    for (const [args, message] of cases) {
      const proc = start(args, {})
      assert.strictEqual(await proc.exit, 1, args.join(" "))
      assert.strictEqual(proc.stderr.join(""), `mreg-proxy: ${message}\n`)
    }
  }

  it("an unknown command or a stray argument is named, with the closest command, instead of an invalid subcommand", { timeout: 60_000 }, async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["webhooks", "replya", "x"], "unknown command \"replya\" for \"mreg-proxy webhooks\"; did you mean \"replay\"? (mreg-proxy webhooks --help lists the commands)"],
      [["--port", "0", "webhok"], "unknown command \"webhok\" for \"mreg-proxy\"; did you mean \"webhooks\"? (mreg-proxy --help lists the commands)"],
      [["-"], "unknown command \"-\" for \"mreg-proxy\" (mreg-proxy --help lists the commands)"],
      [["webhooks", "--bogus"], "unknown flag --bogus for \"mreg-proxy webhooks\" (mreg-proxy webhooks --help lists the flags)"],
      [["webhooks", "replay", "msg_1", "msg_2"], "unexpected argument \"msg_2\" for \"mreg-proxy webhooks replay\" (mreg-proxy webhooks replay --help lists the arguments)"]
    ]
    await expectUsageErrors(cases)
  })

  it("a flag given twice or without its value, or a missing argument, is named as mreg names it", { timeout: 60_000 }, async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--port", "1", "--port", "2"], "--port is given more than once: give it once"],
      [["--insecure-no-auth", "--port"], "--port takes an integer from 0 to 65535 (received nothing)"],
      [["--insecure-no-auth", "--home="], "--home takes a VALUE (received \"\")"],
      [["--port", "0", "webhooks", "replay"], "\"mreg-proxy webhooks replay\" needs ID (the delivery id (webhook-id), as GET /webhooks/deliveries lists it)"]
    ]
    await expectUsageErrors(cases)
  })

  it("--help lists every flag, without escape codes when stdout is not a terminal", { timeout: 60_000 }, async () => {
    const proc = start(["--help"], {})
    assert.strictEqual(await proc.exit, 0)
    const help = proc.stdout.join("\n")
    assert.isTrue(help.startsWith("mreg-proxy\n"), help.slice(0, 40))
    assert.notInclude(help, "\x1b[")
    for (const flag of ["--host", "--port", "--tokens-file", "--insecure-no-auth", "--max-body-bytes", "--upstream", "--upstream-token", "--upstream-timeout-ms", "--upstream-retries", "--home", "--database-url", "--tenant"]) {
      assert.isTrue(help.includes(flag), flag)
    }
  })

  it("-h, --help and --version after the server's flags print the help or the version and exit 0", { timeout: 60_000 }, async () => {
    for (const args of [["--port", "0", "-h"], ["--insecure-no-auth", "--help"], ["--port", "-h"]]) {
      const proc = start(args, {})
      assert.strictEqual(await proc.exit, 0, args.join(" "))
      assert.strictEqual(proc.stderr.join(""), "", args.join(" "))
      assert.isTrue(proc.stdout.join("\n").startsWith("mreg-proxy\n"), args.join(" "))
    }
    const version = start(["--port", "0", "--version"], {})
    assert.strictEqual(await version.exit, 0)
    assert.strictEqual(version.stdout.join("\n").trim(), JSON.parse(readFileSync(join(app, "package.json"), "utf8")).version)
  })

  it("--log-level and --completions after the server's flags are taken as before them", { timeout: 60_000 }, async () => {
    const completions = start(["--insecure-no-auth", "--port", "0", "--completions", "bash"], {})
    assert.strictEqual(await completions.exit, 0)
    assert.isTrue(completions.stdout.join("\n").includes("_mreg-proxy_bash_completions()"))
    // Parsed: the tenant's own rule answers, not "Invalid subcommand for mreg-proxy".
    const level = start(["--insecure-no-auth", "--tenant", "a/b", "--log-level", "debug"], {})
    assert.strictEqual(await level.exit, 1)
    assert.strictEqual(
      level.stderr.join(""),
      "mreg-proxy: --tenant (MREG_TENANT) must be 1–512 letters, digits and \"-\", starting and ending with a letter or digit (an FQN segment, like an ML repo name) (received \"a/b\")\n"
    )
  })

  it("sets the heap growing factor before loading its modules: every full collection of a start uses 1.5", { timeout: 60_000 }, () => {
    // V8 prints each new old-generation limit with its factor; loading the program's modules collects several times.
    const run = spawnSync(process.execPath, ["--trace-gc", "--trace-gc-verbose", bin, "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
    assert.strictEqual(run.status, 0)
    const factors = [...run.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)$/gm)].map((match) => match[1])
    assert.isAbove(factors.length, 0)
    assert.deepStrictEqual([...new Set(factors)], ["1.5"])
  })
})
