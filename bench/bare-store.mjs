// The baseline of the proxy upsert rows: a bare `node:http` server that stores every `PUT /api/ml/v1/model-versions`
// body as the next version of its model, with the same driver as the registry (better-sqlite3, or pg with a pool
// of 16 like `SqlRegistry.layerPg`) and the same tables and statements as the registry's create path
// (packages/registry/src/SqlRegistry.ts, writeUpsert): in one transaction, create the ML repo and the model on
// first use, `MAX(version) + 1`, insert the row with the manifest JSON; on PostgreSQL a transaction that loses the
// race for a number (unique violation) is retried, as the registry does. No validation, no Effect: the floor.
//
// With BARE_PG_LOCK=1 the PostgreSQL variant first locks the model's row (`SELECT … FOR UPDATE`), so writers to one
// model queue instead of colliding and retrying (reported for context only).
//
//   node bench/bare-store.mjs sqlite <file>     |     node bench/bare-store.mjs pg <url>
// Listens on HOST/PORT (default 127.0.0.1, random), logs "listening on http://127.0.0.1:<port>", stops on SIGTERM.
// `openStore` is also what bench/floor.mjs's HttpApi handler calls (the stack-floor rows).
import { randomUUID } from "node:crypto"
import { createServer } from "node:http"
import { pathToFileURL } from "node:url"
import { listen, requireFrom, requirePg } from "./lib.mjs"

const TENANT = "default"
const LOCK = process.env.BARE_PG_LOCK === "1"

const ddl = (text) => [
  `CREATE TABLE IF NOT EXISTS ml_repos (id TEXT PRIMARY KEY, name ${text} NOT NULL UNIQUE, created_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS models (id TEXT PRIMARY KEY, ml_repo_id TEXT NOT NULL REFERENCES ml_repos (id),
    name ${text} NOT NULL, created_at TEXT NOT NULL, UNIQUE (ml_repo_id, name))`,
  `CREATE TABLE IF NOT EXISTS model_versions (id TEXT PRIMARY KEY, model_id TEXT NOT NULL REFERENCES models (id),
    version INTEGER NOT NULL, manifest TEXT NOT NULL, alias ${text}, alias_key ${text}, step INTEGER NOT NULL,
    run_id ${text}, created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL, deleted_at TEXT, UNIQUE (model_id, version))`,
  `CREATE UNIQUE INDEX IF NOT EXISTS model_versions_alias_key ON model_versions (model_id, alias_key)
    WHERE alias_key IS NOT NULL AND deleted_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS model_versions_run_id ON model_versions (run_id)`
]

const SUBJECT = JSON.stringify({ subjectId: "bench", subjectType: "user" })

/** The row a store returns, as the response's `data`. */
const modelVersion = (manifest, ids, version, at) => ({
  id: ids.id,
  fqn: `model:${TENANT}/${manifest.ml_repo}/${manifest.name}:${version}`,
  created_by_subject: JSON.parse(SUBJECT),
  manifest: { ...manifest, version, step: manifest.step ?? 0 },
  ml_repo_id: ids.repoId,
  model_id: ids.modelId,
  created_at: at,
  updated_at: at,
  tags: [],
  metrics: [],
  deployable: manifest.framework !== undefined && manifest.source?.type !== "local"
})

const sqliteStore = (file) => {
  const Database = requireFrom("better-sqlite3", ["packages/registry", "apps/cli"])
  const db = new Database(file)
  db.pragma("journal_mode = WAL") // as @effect/sql-sqlite-node does
  for (const statement of ddl("TEXT")) db.exec(statement)
  const s = {
    repo: db.prepare("INSERT INTO ml_repos (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING"),
    repoId: db.prepare("SELECT id FROM ml_repos WHERE name = ?"),
    model: db.prepare("INSERT INTO models (id, ml_repo_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (ml_repo_id, name) DO NOTHING"),
    modelId: db.prepare("SELECT id FROM models WHERE ml_repo_id = ? AND name = ?"),
    next: db.prepare("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = ?"),
    insert: db.prepare(`INSERT INTO model_versions (id, model_id, version, manifest, alias, alias_key, step, run_id,
      created_by, created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`)
  }
  const upsert = db.transaction((manifest) => {
    const at = new Date().toISOString()
    s.repo.run(randomUUID(), manifest.ml_repo, at)
    const repoId = s.repoId.get(manifest.ml_repo).id
    s.model.run(randomUUID(), repoId, manifest.name, at)
    const modelId = s.modelId.get(repoId, manifest.name).id
    const version = s.next.get(modelId).next
    const id = randomUUID()
    const stored = { ...manifest, version, step: manifest.step ?? 0 }
    s.insert.run(id, modelId, version, JSON.stringify(stored), manifest.version_alias ?? null,
      manifest.version_alias?.toLowerCase() ?? null, stored.step, manifest.run_id ?? null, SUBJECT, at, at)
    return modelVersion(manifest, { id, repoId, modelId }, version, at)
  })
  return { upsert: async (manifest) => upsert(manifest), close: async () => db.close() }
}

const pgStore = async (url) => {
  const pg = requirePg()
  const pool = new pg.Pool({ connectionString: url, max: 16, application_name: "mreg-bench-bare" })
  for (const statement of ddl(`TEXT COLLATE "C"`)) await pool.query(statement)
  const once = async (client, manifest) => {
    const at = new Date().toISOString()
    await client.query("BEGIN")
    try {
      await client.query({ name: "repo", text: "INSERT INTO ml_repos (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", values: [randomUUID(), manifest.ml_repo, at] })
      const repoId = (await client.query({ name: "repoId", text: "SELECT id FROM ml_repos WHERE name = $1", values: [manifest.ml_repo] })).rows[0].id
      await client.query({ name: "model", text: "INSERT INTO models (id, ml_repo_id, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (ml_repo_id, name) DO NOTHING", values: [randomUUID(), repoId, manifest.name, at] })
      const modelId = (await client.query({ name: "modelId", text: "SELECT id FROM models WHERE ml_repo_id = $1 AND name = $2", values: [repoId, manifest.name] })).rows[0].id
      if (LOCK) await client.query({ name: "lock", text: "SELECT id FROM models WHERE id = $1 FOR UPDATE", values: [modelId] })
      const version = Number((await client.query({ name: "next", text: "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = $1", values: [modelId] })).rows[0].next)
      const id = randomUUID()
      const stored = { ...manifest, version, step: manifest.step ?? 0 }
      await client.query({
        name: "insert",
        text: `INSERT INTO model_versions (id, model_id, version, manifest, alias, alias_key, step, run_id, created_by,
          created_at, updated_at, revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)`,
        values: [id, modelId, version, JSON.stringify(stored), manifest.version_alias ?? null,
          manifest.version_alias?.toLowerCase() ?? null, stored.step, manifest.run_id ?? null, SUBJECT, at, at]
      })
      await client.query("COMMIT")
      return modelVersion(manifest, { id, repoId, modelId }, version, at)
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {})
      throw error
    }
  }
  const upsert = async (manifest) => {
    const client = await pool.connect()
    try {
      // The registry's policy: retry on a unique violation, exponential from 2 ms, factor 1.5, jittered.
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(client, manifest)
        } catch (error) {
          if (error?.code !== "23505" || attempt >= 200) throw error
          await new Promise((resolve) => setTimeout(resolve, 2 * 1.5 ** Math.min(attempt, 12) * (0.8 + Math.random() * 0.4)))
        }
      }
    } finally {
      client.release()
    }
  }
  return { upsert, close: () => pool.end() }
}

/**
 * The bare store: `{ upsert(manifest) → Promise<ModelVersion JSON>, close() }` on SQLite (`kind` "sqlite", `target`
 * a file) or PostgreSQL (`kind` "pg", `target` a URL).
 */
export const openStore = async (kind, target) => (kind === "pg" ? pgStore(target) : sqliteStore(target))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [kind, target] = process.argv.slice(2)
  const store = await openStore(kind, target)

  const reply = (res, status, body) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    res.end(text)
  }

  const server = createServer((req, res) => {
    if (req.method !== "PUT" || req.url !== "/api/ml/v1/model-versions") return reply(res, 404, { statusCode: 404 })
    const chunks = []
    req.on("data", (chunk) => chunks.push(chunk))
    req.on("end", () => {
      let manifest
      try {
        manifest = JSON.parse(Buffer.concat(chunks).toString("utf8")).manifest
      } catch {
        return reply(res, 400, { statusCode: 400, code: "INVALID_JSON" })
      }
      store.upsert(manifest).then(
        (data) => reply(res, 200, { data }),
        (error) => reply(res, 500, { statusCode: 500, message: String(error?.code ?? error) })
      )
    })
  })
  listen(server, () => store.close())
}
