/**
 * @mreg/registry: the embedded model registry (SQLite by default, PostgreSQL for shared stores).
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as SqlRegistry from "./SqlRegistry.js"
