/**
 * The exit codes of `mreg`, one per kind of outcome, and how a finished program maps to one.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | any other failure (registry store, store unavailable, upstream, unexpected); `diff --exit-code`: a change |
 * | 2 | usage or validation: bad flags or arguments, unreadable or malformed files, invalid manifests (422) |
 * | 3 | conflict with stored state: 409 Conflict (alias or tag in use, immutable field, …) and 412 precondition failed, or predicted by a dry run |
 * | 4 | not found (404) |
 *
 * Registry errors map through `RegistryError.Table` in `@mreg/core`, where each error's exit code is written once.
 *
 * @since 0.1.0
 */
import type { Teardown } from "@effect/platform/Runtime"
import { RegistryError } from "@mreg/core"
import { Cause, Exit } from "effect"

/** Success. @since 0.1.0 @category constants */
export const OK = 0 as const
/** Any failure without a more specific code. @since 0.1.0 @category constants */
export const FAILURE = 1 as const
/** `mreg diff --exit-code`: the upsert would change something (as `git diff --exit-code`). @since 0.2.0 @category constants */
export const CHANGED = 1 as const
/** Usage or validation error (bad arguments, unreadable or invalid files, invalid manifests). @since 0.1.0 @category constants */
export const USAGE = 2 as const
/** A write that conflicts with stored state (409) or a failed precondition (412). @since 0.1.0 @category constants */
export const CONFLICT = 3 as const
/** No such model version (404). @since 0.1.0 @category constants */
export const NOT_FOUND = 4 as const
/** Interrupted by SIGINT or SIGTERM (128 + 2, the shell's convention). @since 0.1.0 @category constants */
export const INTERRUPTED = 130 as const

/**
 * One of the exit codes above.
 * @since 0.1.0
 * @category models
 */
export type ExitCode = typeof OK | typeof FAILURE | typeof USAGE | typeof CONFLICT | typeof NOT_FOUND | typeof INTERRUPTED

/**
 * The exit-code table of `mreg --help`: code → meaning.
 * @since 0.2.0
 * @category constants
 */
export const TABLE: ReadonlyArray<readonly [string, string]> = [
  ["0", "ok (for diff --exit-code: nothing would change)"],
  ["1", "any other error (registry store, unreachable control plane); diff --exit-code: something would change"],
  ["2", "usage or validation error: bad flags or arguments, unreadable or malformed file, invalid manifest"],
  [
    "3",
    "conflict: 409 (alias or tag in use, immutable field, deleted version, reused idempotency key) or 412 " +
    "(--if-match or --create-only failed); also when diff or upsert --dry-run predicts one"
  ],
  ["4", "not found"]
]

/**
 * The exit-code table as one line of text.
 * @since 0.1.0
 * @category constants
 */
export const HELP = `Exit codes: ${TABLE.map(([code, meaning]) => `${code} ${meaning}`).join("; ")}.`

/**
 * The exit code of a registry error, from `RegistryError.Table` (core's one error table): 400/413/422 → 2,
 * 409/412 → 3, 404 → 4, anything else → 1.
 * @since 0.2.0
 * @category conversions
 */
export const fromError = (error: RegistryError.RegistryError): ExitCode => RegistryError.exitCode(error)

const isExitCode = (value: unknown): value is ExitCode =>
  value === OK || value === FAILURE || value === USAGE || value === CONFLICT || value === NOT_FOUND || value === INTERRUPTED

/**
 * `NodeRuntime.runMain` teardown: a program that succeeds with an {@link ExitCode} exits with it; an interrupted one
 * with {@link INTERRUPTED}; any other failure with {@link FAILURE}.
 * @since 0.1.0
 * @category runtime
 */
export const teardown: Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) return onExit(isExitCode(exit.value) ? exit.value : OK)
  return onExit(Cause.isInterruptedOnly(exit.cause) ? INTERRUPTED : FAILURE)
}
