import { assert, describe, it } from "@effect/vitest"
import { ModelVersion, Validation } from "@mreg/core"
import { wireVersion } from "@mreg/test-fixtures"
import { Either, Schema } from "effect"

const data = wireVersion({
  type: "model-version",
  name: "sentiment-clf",
  ml_repo: "nlp-team",
  version: 1,
  metadata: {},
  source: { type: "truefoundry", uri: "s3://bucket/sentiment/1" },
  lineage: { parent: "mv-0" }
}, { deployable: false, artifact_size: 1234 })

describe("ModelVersion schemas keep fields mreg does not know", () => {
  it("ModelVersionResponse: a top-level field, one inside data and one inside manifest survive decode + encode", () => {
    const wire = { data, request_id: "r-1" }
    const decoded = Schema.decodeUnknownSync(ModelVersion.ModelVersionResponse)(wire)
    assert.instanceOf(decoded.data, ModelVersion.ModelVersion)
    assert.deepStrictEqual(Schema.encodeSync(ModelVersion.ModelVersionResponse)(decoded) as unknown, wire)
  })

  it("ModelVersionPage: unknown fields of the page, of pagination and of each item survive", () => {
    const wire = { data: [data], pagination: { total: 1, offset: 0, limit: 100, next_page_token: "t" }, took_ms: 3 }
    const decoded = Schema.decodeUnknownSync(ModelVersion.ModelVersionPage)(wire)
    assert.deepStrictEqual(Schema.encodeSync(ModelVersion.ModelVersionPage)(decoded) as unknown, wire)
  })

  it("a manifest in a request still rejects unknown fields (422 with did-you-mean)", () => {
    const { lineage: _, ...manifest } = data.manifest
    const result = Validation.decodeManifest({ ...manifest, version_aliass: "v1" })
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.deepStrictEqual(result.left.detail.map((issue) => [issue.loc, issue.type]), [[["body", "manifest", "version_aliass"], "extra_forbidden"]])
      assert.include(result.left.detail[0]!.msg, "version_alias")
    }
  })
})
