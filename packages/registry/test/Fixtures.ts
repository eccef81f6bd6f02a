/**
 * Fixtures of the behaviour suites: the BASE manifest in a given ML repo, fresh ML repo names, and the common start of
 * a case — two versions of one model in a fresh ML repo.
 */
import { ModelManifest, ModelVersions } from "@mreg/core"
import { base as sharedBase } from "@mreg/test-fixtures"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"

/** CASES.md BASE manifest (`@mreg/test-fixtures`), in a given ML repo. */
export const base = (mlRepo: string, overrides: Partial<typeof ModelManifest.ModelManifest.Encoded> = {}) =>
  new ModelManifest.ModelManifest(
    sharedBase({ ml_repo: mlRepo, ...overrides }) as ConstructorParameters<typeof ModelManifest.ModelManifest>[0]
  )

/** An ML repo name no other case uses: `prefix-` and 8 random hex digits. */
export const freshRepo = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`

/** Versions 1 and 2 of BASE in a fresh ML repo (`prefix-…`): the registry, the repo and both upsert results. */
export const twoVersions = (prefix: string) =>
  Effect.gen(function*() {
    const registry = yield* ModelVersions.ModelVersions
    const repo = freshRepo(prefix)
    const v1 = yield* registry.upsert(base(repo))
    const v2 = yield* registry.upsert(base(repo))
    return { registry, repo, v1, v2 }
  })
