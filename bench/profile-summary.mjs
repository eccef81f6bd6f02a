#!/usr/bin/env node
// Summarises a V8 CPU profile (`node --cpu-prof` writes `*.cpuprofile`) into where the CPU went, by self time:
// - areas: GC, idle, Effect's fiber runtime, Effect Schema, @effect/platform HTTP, SQL drivers, node:http, … (the
//   first rule of AREAS that matches a sample's function, by package and file);
// - packages: the node_modules package of each function (`effect`, `@effect/platform`, `pg`, …), the workspace
//   package for project code (`packages/core`, `apps/proxy`, `bench`), `node:internal` and `(native)` otherwise;
// - the top functions (name, file:line, package);
// - inclusive shares of STACKS (schema decode, encode, SQL, socket writes, request log, …), or instead with
//   `--under <regex>` (repeatable): the inclusive share of samples whose stack has a frame whose function name
//   or place matches ("<name> <package>/<file>:<line>"), e.g. `--under RequestLog` or `--under "HttpApiBuilder.js:29[0-9]"`.
// Shares are of the profile's non-idle time; `--top N` sets how many functions and files are listed (default 25);
// `--since <ms>` leaves out the first <ms> of the profile (start-up and warm-up).
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--since <ms>] [--under <regex>]… [--json]
//
// The workflow (README, Performance): run a server with `node --cpu-prof --cpu-prof-dir=<dir>`, load it with the
// bench's autocannon run, stop it with SIGTERM/SIGINT so the profile is written, then summarise.
import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

/** Areas by self time: first match wins; `pkg` is the package, `file` a regex on the path inside it. */
const AREAS = [
  { area: "GC", special: "(garbage collector)" },
  { area: "idle", special: "(idle)" },
  { area: "V8 / native (program)", special: "(program)" },
  { area: "Effect fiber runtime", pkg: "effect", file: /internal\/(fiberRuntime|core|core-effect|runtime|runtimeFlags|fiberRefs|scheduler|fiberScope|fiberMessage|context|cause|effectable|pipeable|schedule|deferred|queue|pubsub|layer|scopedRef|ref|synchronizedRef)\b|\/(Context|Cause|Scheduler|Micro|Effect|FiberRef|Exit|Option|Either|Function|Pipeable|Utils)\.js$/ },
  { area: "Effect Schema (ParseResult, Schema, AST)", pkg: "effect", file: /\/(ParseResult|Schema|SchemaAST|JSONSchema|Arbitrary)\.js$|internal\/schema\// },
  { area: "Effect streams / channels", pkg: "effect", file: /internal\/(channel|stream|sink)|\/(Stream|Channel|Sink)\.js$/ },
  { area: "Effect logging / tracing", pkg: "effect", file: /internal\/(logger|logSpan|tracer|metric)|\/(Logger|Tracer|Metric)/ },
  { area: "Effect data structures (Hash, Equal, HashMap, Chunk, …)", pkg: "effect" },
  { area: "@effect/platform HTTP (router, HttpApi, server request/response)", pkg: /^@effect\/platform(-node|-node-shared)?$/ },
  { area: "SQL (@effect/sql*, better-sqlite3, pg)", pkg: /^(@effect\/sql.*|better-sqlite3|pg|pg-.*|postgres-.*)$/ },
  { area: "mreg: packages/core", pkg: "packages/core" },
  { area: "mreg: packages/registry", pkg: "packages/registry" },
  { area: "mreg: apps/proxy", pkg: "apps/proxy" },
  { area: "mreg: apps/cli", pkg: "apps/cli" },
  { area: "bench baseline code (bare store, floor)", pkg: "bench" },
  { area: "PEP 440/508 parsers, pipeline tags", pkg: /^(@renovatebot\/pep440|pip-requirements-js|ohm-js|@huggingface\/tasks)$/ },
  { area: "node: http, net, streams", pkg: "node:internal", file: /http|net|stream|_http|tls|dns|url/ },
  { area: "node: other internals", pkg: "node:internal" },
  { area: "native (JSON, RegExp, builtins)", pkg: "(native)" }
]

/**
 * Inclusive shares printed when no `--under` is given (frames of main's proxy and of the platform: adjust the
 * patterns when the files change): label → regex on "<function> <package>/<file>:<line>" of any frame of a sample. */
export const STACKS = {
  // Schema.decodeUnknown / encodeUnknown's closures (effect 3.22 dist/esm/Schema.js), the proxy's own decoder, and
  // Schema.Class constructors (`klass`: they validate unless passed `true`).
  "schema decode (payload, headers)": "dist/esm/Schema.js:345|decodeUpsertRequest|Validation\\.js",
  "schema encode": "dist/esm/Schema.js:306|encodeSync",
  "Schema.Class constructors (validation)": "^klass ",
  "SQL (client, driver, statements)": "SqliteClient|better-sqlite3|@effect/sql|internal/sql/|bare-store|pg/lib|PgClient",
  "socket writes (writev)": "^writev ",
  "request log": "RequestLog",
  "JSON body (proxy)": "JsonBody",
  "body limit (NodeServer, limitedBody)": "NodeServer\\.js|limitedBody",
  "auth, tokens": "Auth\\.js|Tokens\\.js",
  "upstream client": "ModelVersions/Http|HttpClient|httpClient|undici"
}

const LABELS = new Map(Object.entries(STACKS).map(([label, re]) => [re, label]))

/** Package of a script URL: `effect`, `@effect/platform`, `packages/core`, `node:internal`, `(native)`, … */
const packageOf = (url) => {
  if (!url) return "(native)"
  if (url.startsWith("node:")) return "node:internal"
  const path = url.startsWith("file:") ? fileURLToPath(url) : url
  const nm = path.lastIndexOf("/node_modules/")
  if (nm !== -1) {
    const parts = path.slice(nm + "/node_modules/".length).split("/")
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  const rel = relative(root, path)
  if (rel.startsWith("..")) return path
  const parts = rel.split("/")
  return parts[0] === "packages" || parts[0] === "apps" ? `${parts[0]}/${parts[1]}` : parts[0]
}

/** Path of a script inside its package (for display and the AREAS file rules). */
const fileOf = (url) => {
  if (!url) return ""
  const path = url.startsWith("file:") ? fileURLToPath(url) : url
  const nm = path.lastIndexOf("/node_modules/")
  if (nm !== -1) {
    const parts = path.slice(nm + "/node_modules/".length).split("/")
    return parts.slice(parts[0].startsWith("@") ? 2 : 1).join("/")
  }
  return path.startsWith(root) ? relative(root, path) : path
}

const matches = (rule, name, pkg, file) => {
  if (rule.special) return name === rule.special
  if (rule.pkg instanceof RegExp ? !rule.pkg.test(pkg) : rule.pkg !== pkg) return false
  return rule.file === undefined || rule.file.test(`/${file}`)
}

/** Reads a profile and returns its summary (times in ms). */
export const summarise = (profile, { top = 25, under = [], sinceMs = 0 } = {}) => {
  const byId = new Map()
  const parent = new Map()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const info = new Map()
  const infoOf = (id) => {
    let i = info.get(id)
    if (i === undefined) {
      const { functionName, url, lineNumber } = byId.get(id).callFrame
      const name = functionName || "(anonymous)"
      const pkg = url ? packageOf(url) : name.startsWith("(") ? name : "(native)"
      const file = fileOf(url)
      const rule = AREAS.find((r) => matches(r, name, pkg, file))
      i = { name, pkg, file, line: lineNumber + 1, area: rule?.area ?? "other" }
      info.set(id, i)
    }
    return i
  }
  const underRes = under.map((text) => ({ text, re: new RegExp(text) }))
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms)
  const fns = new Map()
  const pkgs = new Map()
  const files = new Map()
  const areas = new Map()
  const inclusive = new Map(underRes.map((u) => [u.text, 0]))
  let total = 0
  let idle = 0
  const { samples, timeDeltas } = profile
  let at = 0
  for (let s = 0; s < samples.length; s++) {
    at += timeDeltas[s] / 1000
    if (at < sinceMs) continue
    // timeDeltas[s + 1] is the time until the next sample: the time this sample stands for.
    const ms = (timeDeltas[s + 1] ?? 0) / 1000
    const id = samples[s]
    const i = infoOf(id)
    if (i.area === "idle") {
      idle += ms
      continue
    }
    total += ms
    add(fns, `${i.name}\t${i.file ? `${i.file}:${i.line}` : ""}\t${i.pkg}`, ms)
    add(pkgs, i.pkg, ms)
    if (i.file) add(files, `${i.pkg}\t${i.file}`, ms)
    add(areas, i.area, ms)
    if (underRes.length > 0) {
      const hit = new Set()
      for (let n = id; n !== undefined; n = parent.get(n)) {
        const f = infoOf(n)
        const where = `${f.name} ${f.file.startsWith(f.pkg) ? "" : `${f.pkg}/`}${f.file}:${f.line}`
        for (const u of underRes) if (!hit.has(u.text) && u.re.test(where)) hit.add(u.text)
      }
      for (const text of hit) add(inclusive, text, ms)
    }
  }
  const sorted = (map, n = Infinity) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
  const share = (ms) => (total > 0 ? ms / total : 0)
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000 - sinceMs,
    sinceMs,
    busyMs: total,
    idleMs: idle,
    areas: sorted(areas).map(([area, ms]) => ({ area, ms, share: share(ms) })),
    packages: sorted(pkgs).map(([pkg, ms]) => ({ pkg, ms, share: share(ms) })),
    files: sorted(files, top).map(([key, ms]) => {
      const [pkg, file] = key.split("\t")
      return { pkg, file, ms, share: share(ms) }
    }),
    functions: sorted(fns, top).map(([key, ms]) => {
      const [name, where, pkg] = key.split("\t")
      return { name, where, pkg, ms, share: share(ms) }
    }),
    under: [...inclusive].map(([pattern, ms]) => ({ pattern, ms, share: share(ms) }))
  }
}

const pct = (x) => `${(100 * x).toFixed(1)}%`.padStart(6)
const msCell = (x) => `${x.toFixed(0)} ms`.padStart(9)

const print = (s, file) => {
  const lines = [
    `${file}: ${(s.wallMs / 1000).toFixed(1)} s of profile${s.sinceMs ? ` (after the first ${s.sinceMs} ms)` : ""}, ${(s.busyMs / 1000).toFixed(1)} s busy, ${(s.idleMs / 1000).toFixed(1)} s idle`,
    "",
    "## by area (self time, share of busy)",
    ...s.areas.map((a) => `${pct(a.share)} ${msCell(a.ms)}  ${a.area}`),
    "",
    "## by package (self time)",
    ...s.packages.filter((p) => p.share >= 0.002).map((p) => `${pct(p.share)} ${msCell(p.ms)}  ${p.pkg}`),
    "",
    "## top files (self time)",
    ...s.files.map((f) => `${pct(f.share)} ${msCell(f.ms)}  ${f.pkg}  ${f.file}`),
    "",
    "## top functions (self time)",
    ...s.functions.map((f) => `${pct(f.share)} ${msCell(f.ms)}  ${f.name}  ${f.where}  [${f.pkg}]`)
  ]
  if (s.under.length > 0) {
    lines.push("", "## inclusive (stack has a frame matching)", ...s.under.map((u) => `${pct(u.share)} ${msCell(u.ms)}  ${LABELS.get(u.pattern) ?? `/${u.pattern}/`}`))
  }
  console.log(lines.join("\n"))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2)
  const options = { top: 25, under: [], json: false, sinceMs: 0 }
  const files = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--top") options.top = Number(args[++i])
    else if (args[i] === "--under") options.under.push(args[++i])
    else if (args[i] === "--since") options.sinceMs = Number(args[++i])
    else if (args[i] === "--json") options.json = true
    else files.push(args[i])
  }
  if (files.length === 0 || !Number.isFinite(options.top) || !Number.isFinite(options.sinceMs) || options.under.some((u) => u === undefined)) {
    console.error("usage: node bench/profile-summary.mjs <file.cpuprofile>… [--top N] [--since <ms>] [--under <regex>]… [--json]")
    process.exit(2)
  }
  for (const file of files) {
    const under = options.under.length > 0 ? options.under : Object.values(STACKS)
    const summary = summarise(JSON.parse(readFileSync(file, "utf8")), { ...options, under })
    if (options.json) console.log(JSON.stringify({ file, ...summary }, null, 2))
    else print(summary, file)
  }
}
