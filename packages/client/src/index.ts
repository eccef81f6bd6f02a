/**
 * `@mreg/client`: a Promise client of the model-version API (TrueFoundry's `PUT /api/ml/v1/model-versions` and
 * friends), for programs that do not use Effect. It talks to a remote control plane over HTTP, or runs the embedded
 * registry in-process (a SQLite file by default).
 *
 * ```ts
 * import { createClient, ConflictError } from "@mreg/client"
 * const client = createClient() // TFY_HOST set: remote; otherwise the embedded registry in ~/.mreg
 * ```
 *
 * @since 0.1.0
 */

export {
  /** @since 0.1.0 */
  type ApplyTagsOptions,
  /** @since 0.1.0 */
  type Client,
  /** @since 0.1.0 */
  type ClientOptions,
  /** @since 0.1.0 */
  createClient,
  /** @since 0.1.0 */
  type EmbeddedOptions,
  /** @since 0.1.0 */
  type ModelVersionResult,
  /** @since 0.1.0 */
  type ModelVersionsClient,
  /** @since 0.1.0 */
  type RemoteOptions,
  /** @since 0.1.0 */
  type Target,
  /** @since 0.1.0 */
  type UpsertOptions,
  /** @since 0.1.0 */
  type UpsertResult
} from "./Client.js"
export {
  /** @since 0.1.0 */
  ClientClosedError,
  /** @since 0.1.0 */
  type ConflictCode,
  /** @since 0.1.0 */
  ConflictError,
  /** @since 0.1.0 */
  type ErrorBody,
  /** @since 0.2.0 */
  type ErrorDetails,
  /** @since 0.1.0 */
  ForbiddenError,
  /** @since 0.1.0 */
  InternalError,
  /** @since 0.1.0 */
  InvalidJsonError,
  /** @since 0.1.0 */
  MregError,
  /** @since 0.1.0 */
  type MregErrorInit,
  /** @since 0.1.0 */
  NotFoundError,
  /** @since 0.1.0 */
  PayloadTooLargeError,
  /** @since 0.1.0 */
  PreconditionFailedError,
  /** @since 0.2.0 */
  type RowErrorInit,
  /** @since 0.2.0 */
  StoreUnavailableError,
  /** @since 0.1.0 */
  UnauthorizedError,
  /** @since 0.1.0 */
  UpstreamError,
  /** @since 0.1.0 */
  ValidationError,
  /** @since 0.1.0 */
  type ValidationIssue
} from "./Errors.js"
export {
  /** @since 0.1.0 */
  type ModelManifest,
  /** @since 0.1.0 */
  validateManifest,
  /** @since 0.1.0 */
  type ValidationResult
} from "./Manifest.js"
export {
  /** @since 0.2.0 */
  type HistoryOptions,
  /** @since 0.2.0 */
  type HistoryPage,
  /** @since 0.2.0 */
  type ModelVersionEvent
} from "./History.js"
export {
  /** @since 0.2.0 */
  type ApplyOptions,
  /** @since 0.2.0 */
  type ApplyResult,
  /** @since 0.2.0 */
  type Model,
  /** @since 0.2.0 */
  type ModelListQuery,
  /** @since 0.2.0 */
  type ModelPage,
  /** @since 0.2.0 */
  type ModelsClient
} from "./Models.js"
export {
  /** @since 0.1.0 */
  type ListQuery,
  /** @since 0.1.0 */
  type ModelVersion,
  /** @since 0.1.0 */
  type ModelVersionPage,
  /** @since 0.1.0 */
  type Pagination
} from "./ModelVersion.js"
