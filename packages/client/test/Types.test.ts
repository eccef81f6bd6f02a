import { describe, expectTypeOf, it } from "vitest"
import type {
  Client,
  ConflictError,
  ListQuery,
  ModelManifest,
  ModelVersion,
  ModelVersionPage,
  NotFoundError,
  UpsertResult,
  ValidationError,
  ValidationIssue,
  ValidationResult
} from "@mreg/client"
import type { ModelManifest as CoreManifest, ModelVersion as CoreVersion, ModelVersions } from "@mreg/core"

describe("exported types", () => {
  it("are the wire side of the core schemas, not copies", () => {
    expectTypeOf<ModelManifest>().toEqualTypeOf<typeof CoreManifest.ModelManifest.Encoded>()
    expectTypeOf<ModelVersion>().toEqualTypeOf<typeof CoreVersion.ModelVersion.Encoded>()
    expectTypeOf<ModelVersionPage>().toEqualTypeOf<typeof CoreVersion.ModelVersionPage.Encoded>()
    expectTypeOf<ListQuery>().toEqualTypeOf<typeof ModelVersions.ListQuery.Encoded>()
    expectTypeOf<ModelVersion["id"]>().toEqualTypeOf<string>()
  })

  it("methods resolve to plain wire shapes; errors carry literal statuses", () => {
    expectTypeOf<ReturnType<Client["modelVersions"]["upsert"]>>().toEqualTypeOf<Promise<UpsertResult>>()
    expectTypeOf<UpsertResult["data"]>().toEqualTypeOf<ModelVersion>()
    expectTypeOf<ReturnType<Client["modelVersions"]["list"]>>().toEqualTypeOf<Promise<ModelVersionPage>>()
    expectTypeOf<ReturnType<Client["modelVersions"]["iterate"]>>().toEqualTypeOf<AsyncGenerator<ModelVersion, void, undefined>>()
    expectTypeOf<ValidationError["status"]>().toEqualTypeOf<422>()
    expectTypeOf<NotFoundError["code"]>().toEqualTypeOf<"NOT_FOUND">()
    expectTypeOf<ConflictError["code"]>().toEqualTypeOf<
      "IMMUTABLE_FIELD" | "VERSION_DELETED" | "ALIAS_IN_USE" | "TAG_IN_USE" | "IDEMPOTENCY_KEY_REUSED" | "CONFLICT"
    >()
    expectTypeOf<Extract<ValidationResult, { ok: false }>["issues"]>().toEqualTypeOf<ReadonlyArray<ValidationIssue>>()
  })

  it("a manifest literal from the README type-checks as ModelManifest", () => {
    const manifest: ModelManifest = {
      type: "model-version", name: "sentiment-clf", ml_repo: "nlp-team", metadata: { accuracy: 0.93 },
      source: { type: "external", uri: "s3://bucket/sentiment/1" },
      framework: { type: "transformers", pipeline_tag: "text-classification" }
    }
    expectTypeOf(manifest).toEqualTypeOf<ModelManifest>()
  })
})
