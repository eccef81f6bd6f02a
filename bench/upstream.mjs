// The loopback upstream of the upstream-mode rows, and the bare forwarder that is their baseline.
//
//   node bench/upstream.mjs upstream            a tiny control plane: every request (its body read and dropped)
//                                               is answered 200 with one fixed `{"data": ModelVersion}`
//   node bench/upstream.mjs forward <url>       a bare `node:http` forwarder: each request goes to `<url>` with
//                                               the same method, path, headers and body, over a keep-alive agent,
//                                               and the answer is streamed back
// Each listens on HOST/PORT (default 127.0.0.1, random), logs "listening on http://127.0.0.1:<port>" and stops on
// SIGTERM.
import { readFileSync } from "node:fs"
import { Agent, createServer, request } from "node:http"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { listen, root } from "./lib.mjs"

/** The model version the upstream answers with: examples/base.json stored as version 1. */
export const fixedModelVersion = () => {
  const { manifest } = JSON.parse(readFileSync(join(root, "examples/base.json"), "utf8"))
  return {
    id: "0b6f3e1c-4d2a-4f7e-9a51-3c8d2e7b9f10",
    fqn: `model:default/${manifest.ml_repo}/${manifest.name}:1`,
    created_by_subject: { subjectId: "bench", subjectType: "serviceaccount", subjectSlug: "bench" },
    manifest: { ...manifest, version: 1, step: manifest.step ?? 0 },
    ml_repo_id: "6a0f4c2e-1b7d-4e93-8f25-7d1c9b3a5e40",
    model_id: "c3d9e8f1-2a4b-4c6d-8e0f-1a2b3c4d5e6f",
    created_at: "2024-06-01T12:00:00.000Z",
    updated_at: "2024-06-01T12:00:00.000Z",
    usage_code_snippet: "from truefoundry.ml import get_client",
    tags: [],
    metrics: [],
    deployable: true
  }
}

const upstream = () => {
  const body = Buffer.from(JSON.stringify({ data: fixedModelVersion() }))
  const headers = { "content-type": "application/json", "content-length": body.length }
  listen(createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      res.writeHead(200, headers)
      res.end(body)
    })
  }))
}

const forward = (target) => {
  const to = new URL(target)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  listen(createServer((req, res) => {
    const headers = { ...req.headers, host: to.host }
    const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" })
      res.end(JSON.stringify({ statusCode: 502, code: "BAD_GATEWAY" }))
    })
    req.pipe(out)
  }))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [mode, target] = process.argv.slice(2)
  if (mode === "upstream") upstream()
  else if (mode === "forward" && target) forward(target)
  else {
    console.error("usage: node bench/upstream.mjs upstream | forward <url>")
    process.exit(2)
  }
}
