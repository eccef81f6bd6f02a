// CommonJS: Node >= 20.19 loads the ESM package through require().
// Run: node embedded.cjs
const { ConflictError, createClient, validateManifest } = require("@mreg/client")

async function main() {
  const manifest = {
    type: "model-version",
    name: "churn-xgb",
    ml_repo: "growth",
    version_alias: "v1-prod",
    metadata: { auc: 0.91 },
    source: { type: "external", uri: "s3://models/churn/1" }
  }
  // Checks every rule locally, without a client: { ok: true, value } or { ok: false, issues }.
  const checked = validateManifest(manifest)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))

  const client = createClient({ embedded: {} })
  try {
    const { data } = await client.modelVersions.upsert(checked.value)
    console.log(`stored ${data.fqn} with alias ${data.manifest.version_alias}`)
    // A second version cannot take an alias that another version holds.
    await client.modelVersions.upsert(manifest)
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error
    console.log(`${error.status} ${error.code}: held by version ${error.facts.version}`)
  } finally {
    await client.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
