/**
 * The embedded registry under its first name.
 * @deprecated since 0.2.0: use `ModelVersionsSql` (`import { ModelVersionsSql } from "@mreg/registry"`); this
 * module re-exports it unchanged.
 * @since 0.1.0
 */
export * from "./ModelVersionsSql.js"
