// Row of `pnpm bench` (section `filter`): one page of `list` with a metadata filter over 100,000 model versions
// (100 models of 1,000 versions; 1 in 100 matches), through the registry's `ModelVersions` (the filter parsed,
// compiled to parameterized SQL, rows decoded into model versions) vs the same predicate as a hand-written SQL query
// on the same driver in the same run: the count, the page of 100 and its tags, as `list` does. SQLite (a file) and
// PostgreSQL (MREG_TEST_DATABASE_URL). Reported as time per list call (median of `runs`); the ratio is
// hand-written ÷ mreg (throughput), target ≥ 0.5.
//
//   node bench/filter.mjs     runs the rows alone and prints them (BENCH_FILTER_VERSIONS=10000 for a quick check)
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { importFrom, median, requireFrom, requirePg } from "./lib.mjs"

const VERSIONS = Number(process.env.BENCH_FILTER_VERSIONS ?? 100_000)
const MODELS = 100
const FILTER = "metadata.accuracy >= 0.99 and metadata.dataset = \"sst2\""
const LIMIT = 100
const SUBJECT = JSON.stringify({ subjectId: "bench", subjectType: "user" })

/** The stored manifest of version `n` (1-based) of model `model`: accuracy 0.000–0.999 by `i`, so 1 in 100 is ≥ 0.99. */
const manifest = (model, n, i) =>
  JSON.stringify({
    type: "model-version",
    name: `model-${String(model).padStart(3, "0")}`,
    ml_repo: "bench",
    version: n,
    metadata: { accuracy: (i % 1000) / 1000, dataset: "sst2", epochs: 3 },
    source: { type: "truefoundry", uri: "s3://bench/model" },
    framework: { type: "transformers" },
    step: 0
  })

/** Rows of the registry's tables for the whole data set. */
const rows = () => {
  const repo = randomUUID()
  const at = new Date().toISOString()
  const models = Array.from({ length: MODELS }, (_, m) => ({ id: randomUUID(), name: `model-${String(m).padStart(3, "0")}` }))
  const versions = []
  for (let i = 0; i < VERSIONS; i++) {
    const m = i % MODELS
    const n = Math.floor(i / MODELS) + 1
    versions.push([randomUUID(), models[m].id, n, manifest(m, n, i), 0, SUBJECT, at, at])
  }
  return { repo, at, models, versions }
}

/** The hand-written list: the same predicate written directly for the dialect. */
const HAND = {
  sqlite: "json_extract(v.manifest, '$.metadata.accuracy') >= ? AND json_extract(v.manifest, '$.metadata.dataset') = ?",
  pg: "(v.manifest::jsonb #>> '{metadata,accuracy}')::numeric >= $1 AND (v.manifest::jsonb #>> '{metadata,dataset}') = $2"
}
const FROM = "FROM model_versions v JOIN models m ON m.id = v.model_id JOIN ml_repos r ON r.id = m.ml_repo_id"
const COLUMNS = `v.id, v.model_id, v.version, v.manifest, v.alias, v.step, v.run_id, v.created_by, v.created_at, v.updated_at,
  v.revision, v.deleted_at, m.ml_repo_id, r.name AS ml_repo_name, m.name AS model_name`
const handQueries = (dialect) => {
  const where = `WHERE v.deleted_at IS NULL AND ${HAND[dialect]}`
  return {
    count: `SELECT COUNT(*) AS total ${FROM} ${where}`,
    page: `SELECT ${COLUMNS} ${FROM} ${where} ORDER BY r.name, m.name, v.version DESC LIMIT ${LIMIT + 1} OFFSET 0`,
    tags: (n) => `SELECT model_version_id, tag FROM model_version_tags WHERE model_version_id IN (${
      Array.from({ length: n }, (_, i) => (dialect === "pg" ? `$${i + 1}` : "?")).join(", ")
    }) ORDER BY tag`
  }
}

/** Times `fn` `runs` times after `warmup` calls; the median in ms. */
const time = async (fn, runs, warmup = 2) => {
  for (let i = 0; i < warmup; i++) await fn()
  const ms = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    await fn()
    ms.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return median(ms)
}

/** mreg's list with the filter, on a `ModelVersions` layer; checks that it finds what the hand-written query finds. */
const mregList = async (layer) => {
  const { Effect, ManagedRuntime } = await importFrom("effect", ".", "packages/registry")
  const { ModelVersions } = await importFrom("@mreg/core", ".", "packages/registry")
  const runtime = ManagedRuntime.make(layer)
  const query = new ModelVersions.ListQuery({ filter: FILTER, limit: LIMIT })
  const list = () => runtime.runPromise(Effect.flatMap(ModelVersions.ModelVersions, (registry) => registry.list(query)))
  return { list, dispose: () => runtime.dispose() }
}

const result = (mreg, hand, total, expected) => ({
  versions: VERSIONS,
  filter: FILTER,
  mregMs: mreg,
  handMs: hand,
  matches: total,
  ok: total === expected,
  ...(total === expected ? {} : { failed: `mreg found ${total} matches, the hand-written query ${expected}` })
})

/** SQLite: a registry file in `tmp`, migrated by the registry, filled with better-sqlite3 in one transaction. */
export const benchFilterSqlite = async (tmp, { runs = 15 } = {}) => {
  const { ModelVersionsSql } = await importFrom("@mreg/registry", ".", "apps/proxy")
  const filename = join(tmp, "filter-bench.db")
  const mreg = await mregList(ModelVersionsSql.layerSqlite({ filename }))
  await mreg.list() // migrates
  const Database = requireFrom("better-sqlite3", ["packages/registry"])
  const db = new Database(filename)
  const data = rows()
  db.transaction(() => {
    db.prepare("INSERT INTO ml_repos (id, name, created_at) VALUES (?, 'bench', ?)").run(data.repo, data.at)
    const model = db.prepare("INSERT INTO models (id, ml_repo_id, name, created_at) VALUES (?, ?, ?, ?)")
    for (const m of data.models) model.run(m.id, data.repo, m.name, data.at)
    const version = db.prepare(`INSERT INTO model_versions (id, model_id, version, manifest, step, created_by, created_at, updated_at, revision)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`)
    for (const v of data.versions) version.run(...v)
  })()
  db.exec("ANALYZE")
  const q = handQueries("sqlite")
  const count = db.prepare(q.count)
  const page = db.prepare(q.page)
  const hand = () => {
    const { total } = count.get(0.99, "sst2")
    const rows = page.all(0.99, "sst2").slice(0, LIMIT)
    if (rows.length > 0) db.prepare(q.tags(rows.length)).all(...rows.map((r) => r.id))
    return total
  }
  try {
    const expected = hand()
    const total = (await mreg.list()).pagination.total
    const handMs = await time(hand, runs)
    const mregMs = await time(mreg.list, runs)
    return result(mregMs, handMs, total, expected)
  } finally {
    db.close()
    await mreg.dispose()
  }
}

/** PostgreSQL: a fresh schema-less database state is not needed: the rows go in a fresh ML repo of `url`'s database. */
export const benchFilterPg = async (url, { runs = 15 } = {}) => {
  if (!url) return { skipped: "skipped: no PostgreSQL (MREG_TEST_DATABASE_URL)" }
  const { ModelVersionsSql } = await importFrom("@mreg/registry", ".", "apps/proxy")
  const { Redacted } = await importFrom("effect", ".", "packages/registry")
  const pg = requirePg()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  // A database of its own, so that other rows (tests, other benchmark sections) do not count.
  const database = `mreg_filter_bench_${Date.now()}`
  await client.query(`CREATE DATABASE ${database}`)
  const benchUrl = new URL(url)
  benchUrl.pathname = `/${database}`
  const mreg = await mregList(ModelVersionsSql.layerPg({ url: Redacted.make(benchUrl.href) }))
  const db = new pg.Client({ connectionString: benchUrl.href })
  try {
    await mreg.list() // migrates
    await db.connect()
    const data = rows()
    await db.query("INSERT INTO ml_repos (id, name, created_at) VALUES ($1, 'bench', $2)", [data.repo, data.at])
    await db.query("INSERT INTO models (id, ml_repo_id, name, created_at) SELECT id, $1, name, $2 FROM unnest($3::text[], $4::text[]) AS t(id, name)", [
      data.repo, data.at, data.models.map((m) => m.id), data.models.map((m) => m.name)
    ])
    const column = (i) => data.versions.map((v) => v[i])
    await db.query(`INSERT INTO model_versions (id, model_id, version, manifest, step, created_by, created_at, updated_at, revision)
      SELECT id, model_id, version, manifest, step, created_by, created_at, updated_at, 1
      FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[])
        AS t(id, model_id, version, manifest, step, created_by, created_at, updated_at)`, [0, 1, 2, 3, 4, 5, 6, 7].map(column))
    await db.query("ANALYZE")
    const q = handQueries("pg")
    const hand = async () => {
      const { rows: [{ total }] } = await db.query(q.count, [0.99, "sst2"])
      const { rows } = await db.query(q.page, [0.99, "sst2"])
      const page = rows.slice(0, LIMIT)
      if (page.length > 0) await db.query(q.tags(page.length), page.map((r) => r.id))
      return Number(total)
    }
    const expected = await hand()
    const total = (await mreg.list()).pagination.total
    const handMs = await time(hand, runs)
    const mregMs = await time(mreg.list, runs)
    return result(mregMs, handMs, total, expected)
  } finally {
    await mreg.dispose()
    await db.end().catch(() => {})
    await client.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => {})
    await client.end()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const tmp = mkdtempSync(join(tmpdir(), "mreg-bench-filter-"))
  try {
    const runs = Number(process.env.BENCH_RUNS ?? 5)
    console.log("sqlite", await benchFilterSqlite(tmp, { runs }))
    console.log("pg", await benchFilterPg(process.env.MREG_TEST_DATABASE_URL, { runs }))
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
