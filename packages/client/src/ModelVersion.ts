/**
 * The TypeScript types of what the registry returns, derived from the `@mreg/core` schemas (their wire side), so
 * they are never written twice.
 *
 * @since 0.1.0
 */
import type { ModelVersion as CoreVersion, ModelVersions as CoreVersions } from "@mreg/core"

/**
 * A stored model version in its wire shape (plain JSON, snake_case; `created_by_subject` has camelCase keys):
 * `{ id, fqn, created_by_subject: {subjectId, subjectType, subjectSlug?, subjectDisplayName?}, manifest, ml_repo_id,
 * model_id, created_at, updated_at, usage_code_snippet?, tags, metrics: [{key, value, timestamp, step}], deployable }`.
 *
 * - `fqn`: `model:{tenant}/{ml_repo}/{name}:{version}`;
 * - `manifest`: the manifest as stored, with `version` (and `step`) filled in;
 * - `created_at`, `updated_at`: RFC 3339 UTC strings with milliseconds (`2024-06-01T12:00:00.000Z`);
 * - `metrics[].timestamp`: epoch milliseconds; `deployable`: a framework is set and the source is not `local`.
 *
 * @since 0.1.0
 * @category models
 */
export type ModelVersion = typeof CoreVersion.ModelVersion.Encoded

/**
 * Offset pagination of a list page: `total` counts every match (not just this page), `offset` and `limit` echo the
 * request.
 * @since 0.1.0
 * @category models
 */
export type Pagination = typeof CoreVersion.Pagination.Encoded

/**
 * One page of `list`: `{ data: ModelVersion[], pagination: {total, offset, limit} }` (the wire body).
 * @since 0.1.0
 * @category models
 */
export type ModelVersionPage = typeof CoreVersion.ModelVersionPage.Encoded

/**
 * Filters and paging of `list` and `iterate`, all optional and combined with AND:
 * `fqn` (`model:{tenant}/{ml_repo}/{name}:{version or alias}`), `ml_repo` (name), `ml_repo_id`, `model_id`, `name`,
 * `version` (integer ≥ 1), `tag`, `run_ids` (string[]), `run_steps` (integer[]), `limit` (page size, 1–1000,
 * default 100), `offset` (≥ 0, default 0), `page_token`, and `filter`, an expression of the filter language (e.g.
 * `metadata.accuracy >= 0.9 and tag = "prod"`, `docs/filter.md`; one that does not parse is a `ValidationError` at
 * `["query", "filter"]` naming the column). Unknown keys are a `ValidationError` (a typo never widens a query).
 * Results come ordered by ML repo, model name, then version number descending.
 * @since 0.1.0
 * @category models
 */
export type ListQuery = typeof CoreVersions.ListQuery.Encoded
