/**
 * Filter expressions (`Filter.Expression`) compiled to SQL conditions on a model version row (`v`, its model `m`,
 * its ML repo `r`), for SQLite (`json_extract`/`json_type`) and PostgreSQL (`jsonb`). Every value and every JSON key
 * is a bound parameter; only fixed SQL text (column names, operators, type names) is written into the statement.
 * Each atom is two-valued (never SQL NULL), so `NOT` is the exact complement, as in `Filter.evaluate`: the semantics
 * are those of the `Filter` module's doc, identical on both dialects and in memory.
 * @internal
 */
import type { SqlClient, Statement } from "@effect/sql"
import { Filter, RegistryError } from "@mreg/core"
import { Effect, Either } from "effect"

type Sql = SqlClient.SqlClient
type Fragment = Statement.Fragment

/** Columns of the typed fields (SQLite, PostgreSQL). */
const COLUMNS = {
  name: ["m.name", "m.name"],
  ml_repo: ["r.name", "r.name"],
  version: ["v.version", "v.version"],
  version_alias: ["v.alias", "v.alias"],
  run_id: ["v.run_id", "v.run_id"],
  step: ["v.step", "v.step"],
  created_at: ["v.created_at", "v.created_at"],
  updated_at: ["v.updated_at", "v.updated_at"],
  description: ["json_extract(v.manifest, '$.description')", "(d.doc ->> 'description')"],
  created_by: ["json_extract(v.created_by, '$.subjectId')", "(v.created_by::jsonb ->> 'subjectId')"]
} as const

const DEPLOYABLE = [
  "(json_type(v.manifest, '$.framework') IS NOT NULL AND json_extract(v.manifest, '$.source.type') <> 'local')",
  "((d.doc -> 'framework') IS NOT NULL AND (d.doc #>> '{source,type}') <> 'local')"
] as const

/** A JSON path for SQLite: `$."key"."key"`, each key quoted with `"` and `\` escaped. */
const sqlitePath = (keys: ReadonlyArray<string>): string => `$${keys.map((key) => `."${key.replace(/[\\"]/g, "\\$&")}"`).join("")}`

/** The compiler of list filters for one client's dialect. */
export const makeCompiler = (sql: Sql) => {
  const pg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const text = (fragment: string) => sql.literal(fragment)
  const FALSE = text(pg ? "FALSE" : "0")
  const TRUE = text(pg ? "TRUE" : "1")
  /** A literal as a bound parameter; numbers cast on PostgreSQL so that `step > 1.5` compares numerically. */
  const param = (value: string | number) => (pg && typeof value === "number" ? sql`CAST(${value} AS numeric)` : sql`${value}`)
  const op = (comparison: Filter.Comparison) => text(comparison === "!=" ? "<>" : comparison)
  const substring = (haystack: Fragment, needle: string) => (pg ? sql`strpos(${haystack}, ${needle}) > 0` : sql`instr(${haystack}, ${needle}) > 0`)
  const twoValued = (condition: Fragment) => sql`COALESCE(${condition}, ${FALSE})`

  /** A typed column (text, number or date) against a literal. */
  const column = (expression: string, field: Filter.FieldName, comparison: Filter.Comparison | "contains" | "exists", value: Filter.Literal) => {
    const isText = field !== "version" && field !== "step"
    const target = text(pg && isText ? `${expression} COLLATE "C"` : expression)
    if (comparison === "exists" || (value === null && comparison === "!=")) return sql`(${target} IS NOT NULL)`
    if (value === null) return comparison === "=" ? sql`(${target} IS NULL)` : FALSE
    if (comparison === "contains") return twoValued(substring(target, value as string))
    return twoValued(sql`${target} ${op(comparison)} ${param(value as string | number)}`)
  }

  /** A JSON value of the manifest (`framework…`, `environment…`, `metadata…`) against a literal. */
  const json = (keys: ReadonlyArray<string>, comparison: Filter.Comparison | "contains" | "exists", value: Filter.Literal) => {
    const path: Fragment = pg ? sql`(d.doc #> ARRAY[${sql.join(", ", false)(keys.map((key) => sql`${key}`))}]::text[])` : sql`${sqlitePath(keys)}`
    const type = pg ? sql`jsonb_typeof(${path})` : sql`json_type(v.manifest, ${path})`
    const extracted: Fragment = pg ? path : sql`json_extract(v.manifest, ${path})`
    const isType = (names: string) => sql`COALESCE(${type}, 'null') IN (${text(names)})`
    if (comparison === "exists" || (value === null && comparison === "!=")) return sql`(NOT ${isType("'null'")})`
    if (value === null) return comparison === "=" ? isType("'null'") : FALSE
    if (typeof value === "boolean") {
      const wanted = comparison === "=" ? value : !value
      return pg ? twoValued(sql`${path} = ${text(wanted ? "'true'::jsonb" : "'false'::jsonb")}`) : isType(wanted ? "'true'" : "'false'")
    }
    if (typeof value === "number") {
      if (!pg) return sql`(CASE WHEN ${extracted} ${op(comparison as Filter.Comparison)} ${value} THEN ${isType("'integer', 'real'")} ELSE 0 END)`
      return sql`(CASE WHEN ${isType("'number'")} THEN (${path})::numeric ${op(comparison as Filter.Comparison)} ${param(value)} ELSE FALSE END)`
    }
    const string: Fragment = pg ? sql`((${path}) #>> '{}') COLLATE "C"` : extracted
    const test = comparison === "contains" ? substring(string, value) : sql`${string} ${op(comparison)} ${value}`
    // SQLite: the comparison first (json_extract gives numbers, text or NULL), the type only of the rows it keeps.
    if (!pg) return sql`(CASE WHEN ${test} THEN ${isType("'text'")} ELSE 0 END)`
    return sql`(CASE WHEN ${isType("'string'")} THEN ${test} ELSE FALSE END)`
  }

  const tags = (condition: Fragment | undefined) =>
    sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_version_id = v.id${condition === undefined ? sql`` : sql` AND ${condition}`})`

  /** One predicate: a field, an operator and a literal (`in` is compiled as `=` for each literal, joined by OR). */
  const atom = (field: Filter.Field, comparison: Filter.Comparison | "contains" | "exists", value: Filter.Literal): Fragment => {
    switch (field.name) {
      case "tag":
        if (comparison === "exists") return tags(undefined)
        if (comparison === "contains") return tags(substring(text("t.tag"), value as string))
        return comparison === "!=" ? sql`(NOT ${tags(sql`t.tag = ${value as string}`)})` : tags(sql`t.tag = ${value as string}`)
      case "deployable": {
        const deployable = text(DEPLOYABLE[pg ? 1 : 0])
        if (comparison === "exists" || (value === null && comparison === "!=")) return TRUE
        if (value === null) return FALSE
        return (comparison === "=") === value ? deployable : sql`(NOT ${deployable})`
      }
      case "framework":
      case "environment":
      case "metadata":
        return json([field.name, ...field.path], comparison, value)
      default:
        return column(COLUMNS[field.name][pg ? 1 : 0], field.name, comparison, value)
    }
  }

  /**
   * `a OR b OR …` as a balanced tree: a flat chain nests one level per value, and SQLite refuses an expression over
   * 1,000 levels deep (an `in` list of a 4,096-character filter holds up to 2,000 values).
   */
  const anyOf = (fragments: ReadonlyArray<Fragment>): Fragment => {
    if (fragments.length === 1) return fragments[0]!
    const half = fragments.length >> 1
    return sql`(${anyOf(fragments.slice(0, half))} OR ${anyOf(fragments.slice(half))})`
  }

  const compile = (expression: Filter.Expression): Fragment => {
    switch (expression._tag) {
      case "And":
        return sql`(${compile(expression.left)} AND ${compile(expression.right)})`
      case "Or":
        return sql`(${compile(expression.left)} OR ${compile(expression.right)})`
      case "Not":
        return sql`(NOT ${compile(expression.expression)})`
      case "Exists":
        return atom(expression.field, "exists", null)
      case "Contains":
        return atom(expression.field, "contains", expression.value)
      case "Compare":
        return atom(expression.field, expression.op, expression.value)
      case "In":
        return anyOf(expression.values.map((value) => atom(expression.field, "=", value)))
    }
  }

  /** The condition of a list query's `filter`; one that does not parse is a `ValidationError` at `query.filter`. */
  return (filter: string): Effect.Effect<Fragment, RegistryError.ValidationError> =>
    Either.match(Filter.parse(filter), {
      onLeft: (error) =>
        Effect.fail(
          new RegistryError.ValidationError({
            detail: [new RegistryError.ValidationIssue({ loc: ["query", "filter"], msg: error.message, type: "value_error" })]
          })
        ),
      // PostgreSQL: the manifest is parsed to jsonb once per row (`d.doc`; OFFSET 0 keeps the subquery from being
      // inlined, which would parse it again at every use).
      onRight: (expression) =>
        Effect.succeed(pg ? sql`(SELECT ${compile(expression)} FROM (SELECT v.manifest::jsonb AS doc OFFSET 0) AS d)` : compile(expression))
    })
}
