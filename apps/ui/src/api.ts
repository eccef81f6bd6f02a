/**
 * The page's only way to the registry: `fetch` of mreg-proxy's API (`/api/ml/v1`, same origin), with the bearer token
 * the user typed. The token lives in `sessionStorage` (this tab only, gone when it closes), never in `localStorage`
 * or a cookie. Wire shapes: the API's (README, "Endpoints"), only the fields the page shows.
 */

/** Where the API is, relative to the page's origin. */
export const PREFIX = "/api/ml/v1"

const TOKEN_KEY = "mreg.token"

/** Who wrote something (`created_by_subject`, an event's `subject`). */
export interface Subject {
  readonly subjectId: string
  readonly subjectType: string
  readonly subjectSlug?: string
  readonly subjectDisplayName?: string
}

/** The manifest of a model version, as stored. */
export interface Manifest {
  readonly name: string
  readonly ml_repo: string
  readonly version?: number
  readonly version_alias?: string
  readonly description?: string
  readonly metadata: Record<string, unknown>
  readonly source: Record<string, unknown>
  readonly framework?: Record<string, unknown>
  readonly environment?: { readonly python_version?: string; readonly pip_packages?: ReadonlyArray<string> }
  readonly step?: number
  readonly run_id?: string
}

/** A stored model version. */
export interface ModelVersion {
  readonly id: string
  readonly fqn: string
  readonly model_id: string
  readonly created_by_subject: Subject
  readonly manifest: Manifest
  readonly created_at: string
  readonly updated_at: string
  readonly tags: ReadonlyArray<string>
  readonly deployable: boolean
}

/** A model: a name in an ML repo, with its highest live version. */
export interface Model {
  readonly id: string
  readonly name: string
  readonly fqn: string
  readonly created_by_subject: Subject
  readonly created_at?: string
  readonly updated_at?: string
  readonly latest_version?: ModelVersion
}

/** One write to a model version (`GET …/model-versions/{id}/history`, oldest first). */
export interface VersionEvent {
  readonly id: string
  readonly revision: number
  readonly type: "created" | "updated" | "tags_applied" | "deleted"
  readonly subject: Subject
  readonly at: string
  readonly changes: ReadonlyArray<{ readonly path: string; readonly before?: unknown; readonly after?: unknown }>
}

/** A list answer. */
export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly pagination: { readonly total: number; readonly next_page_token?: string }
}

/** A failed call: the HTTP status, the API's message, and the message of each query parameter it refused. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly params: Readonly<Record<string, string>> = {}
  ) {
    super(message)
  }
}

/** The token of this tab, if the user gave one. */
export const token = (): string | null => sessionStorage.getItem(TOKEN_KEY)

/** Keeps `value` as this tab's token (an empty value forgets it). */
export const setToken = (value: string): void => {
  if (value === "") sessionStorage.removeItem(TOKEN_KEY)
  else sessionStorage.setItem(TOKEN_KEY, value)
}

interface ErrorBody {
  readonly message?: string
  readonly detail?: ReadonlyArray<{ readonly loc?: ReadonlyArray<string | number>; readonly msg?: string }>
}

const errorOf = async (response: Response): Promise<ApiError> => {
  let body: ErrorBody = {}
  try {
    body = await response.json() as ErrorBody
  } catch {
    // not the API's JSON error body (a proxy in between): the status says enough
  }
  const params: Record<string, string> = {}
  for (const issue of body.detail ?? []) {
    if (issue.loc?.[0] === "query" && typeof issue.loc[1] === "string" && issue.msg !== undefined) params[issue.loc[1]] = issue.msg
  }
  return new ApiError(response.status, body.message ?? `${response.status} ${response.statusText}`, params)
}

/**
 * `GET {PREFIX}{path}?{query}` (parameters left out when empty) with this tab's token; the `data`-carrying JSON
 * body, or an {@link ApiError} (401 when the proxy wants a token or refused this one).
 */
export const get = async <A>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<A> => {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.set(key, value)
  const search = params.size > 0 ? `?${params}` : ""
  const bearer = token()
  const response = await fetch(`${PREFIX}${path}${search}`, {
    headers: { accept: "application/json", ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    ...(signal === undefined ? {} : { signal })
  })
  if (!response.ok) throw await errorOf(response)
  return await response.json() as A
}

/** A subject for people: display name, else slug, else id. */
export const who = (subject: Subject): string => subject.subjectDisplayName ?? subject.subjectSlug ?? subject.subjectId

/** An RFC 3339 timestamp as `2026-01-31 14:05 UTC` (the API's instant, in UTC, minutes). */
export const when = (timestamp: string | undefined): string => {
  if (timestamp === undefined) return ""
  const date = new Date(timestamp)
  return Number.isNaN(date.getTime()) ? timestamp : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`
}

/** The ML repo of a model FQN `model:{tenant}/{ml_repo}/{name}[:{version}]`. */
export const mlRepoOf = (fqn: string): string => fqn.split("/")[1] ?? ""
