/**
 * Options, arguments and printing shared by the `mreg` commands.
 * @internal
 */
import { Options } from "@effect/cli"
import { Filter, ModelVersions, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Option, Schema } from "effect"
import * as Diff from "../../Diff.js"
import * as Failure from "../../Failure.js"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import * as IntegerFlags from "../integerFlags.js"
import * as Resolve from "../resolve.js"

export const outputChoice = Options.choice("output", Output.FORMATS).pipe(Options.withAlias("o"), Options.withPseudoName("FORMAT"))

export const output = outputChoice.pipe(
  Options.withDefault("json" as Output.Format),
  Options.withDescription("output format: json, the API's response body (default); yaml, the same body; table, for people")
)

export const file = Options.text("file").pipe(
  Options.withAlias("f"),
  Options.withPseudoName("PATH"),
  Options.withDescription("manifest file, JSON or YAML, {\"manifest\": {…}} or a bare manifest; - reads stdin")
)

/** An optional text option with its placeholder (`--ml-repo REPO`). */
export const textOption = (name: string, placeholder: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(placeholder), Options.optional, Options.withDescription(description))

/**
 * `--limit N` and `--offset N` of a list command; `what` names the listed things (`versions`, `models`). Their ranges
 * are the API's, in `internal/integerFlags.ts` (checked before the command runs, and by the API again).
 */
export const pageOptions = (what: string) => ({
  limit: IntegerFlags.option("limit").pipe(
    Options.optional,
    Options.withDescription(`${what} per page, ${IntegerFlags.RANGES.limit.min} to ${IntegerFlags.RANGES.limit.max} (default ${ModelVersions.DEFAULT_LIMIT})`)
  ),
  offset: IntegerFlags.option("offset").pipe(
    Options.optional,
    Options.withDescription(`${what} to skip, for the next pages (default 0)`)
  )
})

/** Runs `f` on the registry that `--host` / `TFY_HOST` choose, built for this call only. */
export const withRegistry = <A, E>(
  options: Registry.Layers,
  host: Parameters<typeof Registry.target>[0],
  f: (registry: ModelVersions.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E | RegistryError.RegistryError | Failure.UsageError> =>
  Effect.flatMap(
    Registry.target(host),
    (target) => Effect.flatMap(ModelVersions.ModelVersions, f).pipe(Effect.provide(Registry.layer(options, target)))
  )

/**
 * Runs `f` with the model version that `ref` (an `ID|FQN` argument) names, read with its ETag from the registry that
 * `--host` / `TFY_HOST` choose. A malformed FQN fails with `UsageError` before the registry is opened.
 */
export const withVersion = <A, E>(
  options: Registry.Layers,
  host: Parameters<typeof Registry.target>[0],
  ref: string,
  f: (registry: ModelVersions.Service, versioned: ModelVersions.Versioned) => Effect.Effect<A, E>
): Effect.Effect<A, E | RegistryError.RegistryError | Failure.UsageError> =>
  Effect.flatMap(
    Resolve.parse(ref),
    (parsed) => withRegistry(options, host, (registry) => Effect.flatMap(Resolve.resolve(registry, parsed), (found) => f(registry, found)))
  )

export const print = (text: string) => Effect.flatMap(Output.Output, (out) => out.stdout(text))

/** Prints `body` as JSON or YAML, or `table(palette of stdout)`. */
export const printAs = (format: Output.Format, body: () => unknown, table: (style: Output.Palette) => string) =>
  Effect.flatMap(Output.Output, (out) => out.stdout(format === "table" ? table(out.stdoutStyle) : Output.data(format, body())))

export const printModelVersion = (format: Output.Format, versioned: ModelVersions.Versioned, extras: Output.Extras = {}) =>
  printAs(
    format,
    () => Output.modelVersionBody(versioned.modelVersion),
    (style) => Output.modelVersionTable(versioned.modelVersion, { etag: versioned.etag, ...extras }, style)
  )

/** Prints a predicted upsert, then fails with `Rejected` when the registry would refuse it. */
export const printPlan = (format: Output.Format, plan: Diff.Plan) =>
  Effect.gen(function*() {
    yield* printAs(format, () => Diff.body(plan), (style) => Diff.text(plan, style))
    if (plan.problems.length > 0) return yield* Effect.fail(new Failure.Rejected({ problems: plan.problems }))
  })

/** The entries of `record` whose value is defined (the options a command line set). */
export const defined = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

/**
 * Decodes command-line options into a query schema; every problem is an `InvalidInput` about `what`, placed at the
 * option's `--flag` (`flags` maps field names to flags).
 */
export const decodeOptions = <A, I>(schema: Schema.Schema<A, I>, what: string, flags: Readonly<Record<string, string>>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (raw: Record<string, unknown>): Either.Either<A, Failure.InvalidInput> =>
    Either.mapLeft(decode(raw), (error) =>
      new Failure.InvalidInput({
        what,
        error: new RegistryError.ValidationError({
          detail: Validation.fromParseError(error, []).detail.map((issue) =>
            new RegistryError.ValidationIssue({ ...issue, loc: [flags[String(issue.loc[0])] ?? String(issue.loc[0])] }))
        })
      }))
}

/** `--filter EXPR` of a list command; `what` says what a match is. */
export const filterOption = (what: string) =>
  textOption("filter", "EXPR", `only ${what} matching this expression, e.g. 'metadata.accuracy >= 0.9 and tag = "prod"' (docs/filter.md)`)

/**
 * The `--filter` expression when it parses; otherwise a `UsageError` (exit 2) with the parse error and the expression
 * with a caret under the column.
 */
export const checkedFilter = (filter: Option.Option<string>): Effect.Effect<string | undefined, Failure.UsageError> => {
  if (Option.isNone(filter)) return Effect.succeed(undefined)
  return Either.match(Filter.parse(filter.value), {
    onLeft: (error) =>
      Effect.fail(new Failure.UsageError({ message: `--filter ${error.message}\n${Filter.caret(filter.value, error.column).replace(/^/gm, "  ")}` })),
    onRight: () => Effect.succeed(filter.value)
  })
}
