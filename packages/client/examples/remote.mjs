// ESM, remote control plane (TrueFoundry or mreg-proxy): host and key from TFY_HOST and TFY_API_KEY.
// Run: TFY_HOST=https://acme.truefoundry.cloud TFY_API_KEY=... node remote.mjs
import { createClient, MregError } from "@mreg/client"

const client = createClient({ timeoutMs: 10_000, retries: 3 })
console.log(`talking to ${client.target.mode === "remote" ? client.target.host : "the embedded registry"}`)
try {
  const { data, etag } = await client.modelVersions.upsert({
    type: "model-version",
    name: "sentiment-clf",
    ml_repo: "nlp-team",
    metadata: { accuracy: 0.93 },
    source: { type: "truefoundry" }
  })
  console.log(`stored ${data.fqn}${etag === undefined ? "" : ` (etag ${etag})`}`)

  // A model's versions come highest number first (a list of several models is ordered by ML repo and model name).
  const page = await client.modelVersions.list({ ml_repo: "nlp-team", name: "sentiment-clf", limit: 1 })
  console.log(`${page.pagination.total} version(s) of nlp-team/sentiment-clf; newest: ${page.data[0]?.fqn}`)
} catch (error) {
  // Every failure is an MregError with an HTTP status and a code: 401 UNAUTHORIZED, 502 UPSTREAM_ERROR, …
  if (!(error instanceof MregError)) throw error
  console.error(`${error.status} ${error.code}: ${error.message}`)
  process.exitCode = 1
} finally {
  await client.close()
}
