/**
 * Rendering of upsert predictions (`mreg diff`, `mreg upsert --dry-run`): the headline, coloured change lines, and
 * the JSON body. The prediction itself lives in `@mreg/core`'s `UpsertPlan` (also used by the proxy's dry-run
 * apply); its names are re-exported here.
 *
 * @since 0.1.0
 */
import { UpsertPlan } from "@mreg/core"
import type { Palette } from "./Output.js"

/** @since 0.1.0 @category models */
export type Change = UpsertPlan.Change
/** @since 0.1.0 @category models */
export type Problem = UpsertPlan.Problem
/** @since 0.1.0 @category models */
export type Plan = UpsertPlan.Plan
/** @since 0.1.0 @category models */
export type Preconditions = UpsertPlan.Preconditions
// Functions, not aliases: the bundle evaluates `UpsertPlan` (and `Model`, `ModelVersion`) on the first call, not at
// start (see build.mjs, `lazyModules`).
/** {@link UpsertPlan.show}. @since 0.1.0 @category rendering */
export const show: typeof UpsertPlan.show = (value) => UpsertPlan.show(value)
/** {@link UpsertPlan.changes}. @since 0.1.0 @category diffing */
export const changes: typeof UpsertPlan.changes = (path, before, after) => UpsertPlan.changes(path, before, after)
/** {@link UpsertPlan.plan}. @since 0.1.0 @category diffing */
export const plan: typeof UpsertPlan.plan = (registry, manifest, preconditions) => UpsertPlan.plan(registry, manifest, preconditions)

/**
 * The header line of a plan: what would happen to which version.
 * @since 0.1.0
 * @category rendering
 */
export const headline = (plan: Plan): string => {
  const where = `${plan.ml_repo}/${plan.name}`
  const fqn = plan.fqn === undefined ? "" : ` (${plan.fqn})`
  switch (plan.action) {
    case "create":
      return `new version ${plan.version} of ${where} would be created${fqn}`
    case "update":
      return plan.changes.length === 0 && plan.problems.length === 0
        ? `version ${plan.version} of ${where}${fqn}: no changes`
        : `version ${plan.version} of ${where}${fqn} would change:`
    case "none":
      return `nothing would be stored for version ${plan.version} of ${where}${fqn}`
  }
}

/**
 * A plan for people: the headline, one line per change (`+ path: value`, `- path: old value`,
 * `~ path: old → new`), then one line per problem (`! path: message [CODE]`). Coloured with a colour palette:
 * `+` green, `-` red, `~` yellow, `!` bold red.
 * @since 0.1.0
 * @category rendering
 */
export const text = (plan: Plan, style: Palette): string => {
  const lines = [style.bold(headline(plan))]
  for (const change of plan.changes) {
    switch (change.op) {
      case "add":
        lines.push(style.green(`+ ${change.path}: ${show(change.to)}`))
        break
      case "remove":
        lines.push(style.red(`- ${change.path}: ${show(change.from)}`))
        break
      case "change":
        lines.push(style.yellow(`~ ${change.path}: ${show(change.from)} → ${show(change.to)}`))
        break
    }
  }
  for (const problem of plan.problems) lines.push(style.bold(style.red(`! ${problem.path}: ${problem.message} [${problem.code}]`)))
  return lines.join("\n")
}

/**
 * A plan as plain JSON values (`--output json` / `yaml`): `{action, ml_repo, name, version, fqn?, changes, problems}`.
 * @since 0.1.0
 * @category rendering
 */
export const body = (plan: Plan): unknown => ({
  action: plan.action,
  ml_repo: plan.ml_repo,
  name: plan.name,
  version: plan.version,
  ...(plan.fqn === undefined ? {} : { fqn: plan.fqn }),
  changes: plan.changes,
  problems: plan.problems
})
