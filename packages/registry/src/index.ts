/**
 * @mreg/registry: the embedded model registry (SQLite by default, PostgreSQL for shared stores).
 * @since 0.1.0
 */

/**
 * `ModelVersions` on `@effect/sql`: SQLite and PostgreSQL layers, the migrator layer, and their config.
 * @since 0.2.0
 */
export * as ModelVersionsSql from "./ModelVersionsSql.js"

/**
 * The first name of `ModelVersionsSql`, kept so existing imports work.
 * @deprecated since 0.2.0: use `ModelVersionsSql`.
 * @since 0.1.0
 */
export * as SqlRegistry from "./SqlRegistry.js"

/**
 * Webhooks: subscriptions file, outbox, dispatcher (Standard Webhooks signatures, at-least-once, in order per model
 * version), deliveries listing and replay.
 * @since 0.2.0
 */
export * as Webhooks from "./Webhooks.js"
