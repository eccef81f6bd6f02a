import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { fakeServer, json, wireVersion } from "./utils.js"
import { tempHome } from "./utils.js"

const pkg = fileURLToPath(new URL("..", import.meta.url))
const README = readFileSync(new URL("../README.md", import.meta.url), "utf8")

/** The fenced code blocks of the README whose info string names a file: `js title="examples/x.mjs"`. */
const readmeFiles = (): Map<string, string> => {
  const files = new Map<string, string>()
  for (const match of README.matchAll(/^```\w+ title="([^"]+)"\n([\s\S]*?)^```$/gm)) files.set(match[1]!, match[2]!)
  return files
}

/** Runs `node <file>` in the package folder with a clean registry environment plus `env`. */
const node = (file: string, env: Record<string, string>) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve, reject) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !["TFY_HOST", "TFY_API_KEY", "DATABASE_URL", "MREG_HOME", "MREG_TENANT"].includes(key))
    )
    const child = spawn(process.execPath, [file], { cwd: pkg, env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("README examples", () => {
  it("the README shows each example file verbatim", () => {
    const files = readmeFiles()
    assert.deepStrictEqual([...files.keys()], ["examples/embedded.mjs", "examples/embedded.cjs", "examples/remote.mjs"])
    for (const [file, code] of files) assert.strictEqual(code, readFileSync(new URL(`../${file}`, import.meta.url), "utf8"), file)
  })

  it("examples/embedded.mjs (ESM import) stores, tags, finds and iterates; run twice it stores version 2", async () => {
    const home = tempHome()
    const first = await node("examples/embedded.mjs", { MREG_HOME: home })
    const nan = "422 VALIDATION_ERROR 1 problem: manifest.metadata.loss: must be a finite number: JSON has no NaN or Infinity (received NaN)"
    assert.deepStrictEqual(first, {
      code: 0,
      stderr: "",
      stdout: [
        "created model:default/nlp-team/sentiment-clf:1",
        "tags of version 1: production",
        "model:default/nlp-team/sentiment-clf:1 accuracy=0.93",
        nan,
        ""
      ].join("\n")
    })
    const second = await node("examples/embedded.mjs", { MREG_HOME: home })
    assert.deepStrictEqual(second, {
      code: 0,
      stderr: "",
      stdout: [
        "created model:default/nlp-team/sentiment-clf:2",
        "tags of version 2: production",
        "model:default/nlp-team/sentiment-clf:2 accuracy=0.93",
        "model:default/nlp-team/sentiment-clf:1 accuracy=0.93",
        nan,
        ""
      ].join("\n")
    })
    // The README shows the output of these two runs.
    assert.include(README, `\`\`\`text\n${first.stdout}${second.stdout}\`\`\``)
  })

  it("examples/embedded.cjs (CommonJS require of the ESM package) runs without a warning", async () => {
    const result = await node("examples/embedded.cjs", { MREG_HOME: tempHome() })
    assert.deepStrictEqual(result, {
      code: 0,
      stderr: "",
      stdout: "stored model:default/growth/churn-xgb:1 with alias v1-prod\n409 ALIAS_IN_USE: held by version 1\n"
    })
    assert.include(README, `\`\`\`text\n${result.stdout}\`\`\``)
  })

  it("examples/remote.mjs talks to TFY_HOST with TFY_API_KEY, and reports a 502 page as UPSTREAM_ERROR", async () => {
    const server = await fakeServer((request, res) => {
      if (request.method === "PUT") json(res, 200, { data: wireVersion(7) }, { etag: "\"mv-7.1\"" })
      else json(res, 200, { data: [wireVersion(7)], pagination: { total: 7, offset: 0, limit: 10 } })
    })
    const ok = await node("examples/remote.mjs", { TFY_HOST: server.url, TFY_API_KEY: "secret-token" })
    assert.deepStrictEqual(ok, {
      code: 0,
      stderr: "",
      stdout: [
        `talking to ${server.url}`,
        "stored model:acme/nlp-team/sentiment-clf:7 (etag \"mv-7.1\")",
        "7 version(s) of nlp-team/sentiment-clf; newest: model:acme/nlp-team/sentiment-clf:7",
        ""
      ].join("\n")
    })
    assert.deepStrictEqual(server.requests.map((request) => [request.method, request.headers.authorization]), [
      ["PUT", "Bearer secret-token"],
      ["GET", "Bearer secret-token"]
    ])
    // The newest version is the first of one model's list (a list of several models is ordered by model name).
    assert.deepStrictEqual(Object.fromEntries(server.requests[1]!.url.searchParams), { ml_repo: "nlp-team", name: "sentiment-clf", limit: "1" })

    const down = await fakeServer((_request, res) => {
      res.writeHead(502, { "content-type": "text/html" })
      res.end("<html><body><h1>502 Bad Gateway</h1></body></html>")
    })
    const failed = await node("examples/remote.mjs", { TFY_HOST: down.url, TFY_API_KEY: "secret-token" })
    assert.deepStrictEqual(failed, {
      code: 1,
      stdout: `talking to ${down.url}\n`,
      stderr: `502 UPSTREAM_ERROR: ${new URL(down.url).host} answered HTTP 502 without a JSON error body\n`
    })
    assert.strictEqual(down.requests.length, 4)
  })
})
