/**
 * Shared helpers of the @mreg/core tests: the BASE manifest of the behaviour cases and decode shortcuts.
 */
import { type ModelManifest, Validation } from "@mreg/core"
import { BASE_FILE } from "@mreg/test-fixtures"
import { Either } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { pathToFileURL } from "node:url"

const FIXTURES = new URL("./fixtures/manifests/", import.meta.url)

/** The names of the manifest fixtures (`*.json`, with the shared `base.json` of `@mreg/test-fixtures`), sorted. */
export const fixtureNames = (): ReadonlyArray<string> =>
  [...readdirSync(FIXTURES).filter((name) => name.endsWith(".json")), "base.json"].sort()

/** A fixture file parsed as JSON: a PUT body `{"manifest": …}`; `base.json` is the shared BASE. */
export const readFixture = (name: string): { readonly manifest: Record<string, unknown> } =>
  JSON.parse(readFileSync(name === "base.json" ? pathToFileURL(BASE_FILE) : new URL(name, FIXTURES), "utf8"))

/** CASES.md `BASE` manifest (`@mreg/test-fixtures`), a fresh copy on every call. */
export const base = (): Record<string, unknown> => readFixture("base.json").manifest

/** BASE with some fields replaced (a field set to `undefined` is removed). */
export const withFields = (fields: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base(), ...fields }
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete out[key]
  return out
}

/** The minimal valid manifest: only the required fields. */
export const minimal = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: "model-version",
  name: "sentiment-clf",
  ml_repo: "nlp-team",
  metadata: {},
  source: { type: "truefoundry" },
  ...fields
})

/** A plain copy of one validation problem. */
export interface Issue {
  readonly loc: ReadonlyArray<string | number>
  readonly msg: string
  readonly type: string
}

/** Decodes a manifest that must be valid; throws with the problems otherwise. */
export const decodeOk = (input: unknown): ModelManifest.ModelManifest =>
  Either.getOrThrowWith(Validation.decodeManifest(input), (error) => new Error(`expected a valid manifest: ${error.message}`))

/** Decodes a manifest that must be invalid and returns its problems as plain objects. */
export const problems = (input: unknown): ReadonlyArray<Issue> => {
  const result = Validation.decodeManifest(input)
  if (Either.isRight(result)) throw new Error("expected validation problems, but the manifest decoded")
  return result.left.detail.map((issue) => ({ loc: [...issue.loc], msg: issue.msg, type: issue.type }))
}

/** `"a".repeat(n)`. */
export const chars = (n: number, char = "a"): string => char.repeat(n)
