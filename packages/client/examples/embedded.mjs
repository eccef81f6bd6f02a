// ESM, embedded registry: a SQLite file in $MREG_HOME (default ~/.mreg), nothing to set up.
// Run: node embedded.mjs
import { createClient, ValidationError } from "@mreg/client"

const client = createClient({ embedded: {} })
try {
  const manifest = {
    type: "model-version",
    name: "sentiment-clf",
    ml_repo: "nlp-team",
    metadata: { accuracy: 0.93 },
    source: { type: "truefoundry", uri: "s3://bucket/sentiment/1" },
    framework: { type: "transformers", pipeline_tag: "text-classification" }
  }
  // No "version": each run stores the next version number.
  const { data, created } = await client.modelVersions.upsert(manifest)
  console.log(`${created ? "created" : "updated"} ${data.fqn}`)

  // "force" moves the tag from the version that holds it.
  await client.modelVersions.applyTags(data.id, ["production"], { force: true })
  const { data: found } = await client.modelVersions.getByFqn(data.fqn)
  console.log(`tags of version ${found.manifest.version}: ${found.tags.join(", ")}`)

  // Every version of the model, newest first, fetched page by page.
  for await (const version of client.modelVersions.iterate({ ml_repo: "nlp-team", name: "sentiment-clf" })) {
    console.log(`${version.fqn} accuracy=${version.manifest.metadata.accuracy}`)
  }

  // JSON has no NaN: the manifest is rejected before anything is stored.
  try {
    await client.modelVersions.upsert({ ...manifest, metadata: { loss: Number.NaN } })
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    console.log(`${error.status} ${error.code} ${error.message}`)
  }
} finally {
  await client.close()
}
