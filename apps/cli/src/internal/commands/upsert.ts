/**
 * `mreg upsert`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { UpsertPlan } from "@mreg/core"
import { Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import * as Diff from "../../Diff.js"
import * as Failure from "../../Failure.js"
import * as ManifestFile from "../../ManifestFile.js"
import * as Registry from "../../Registry.js"
import { describe } from "../help.js"
import { MUTABLE } from "../edit.js"
import { file, outputChoice, printModelVersion, printPlan, withRegistry } from "./shared.js"

export const upsert = (options: Registry.Layers) =>
  Command.make(
    "upsert",
    {
      file,
      output: outputChoice.pipe(
        Options.optional,
        Options.withDescription("output format: json, the API's response body (default); yaml; table (default with --dry-run)")
      ),
      dryRun: Options.boolean("dry-run").pipe(
        Options.withDescription("write nothing: print what would change, as mreg diff does (exit 3 if it would be rejected)")
      ),
      host: Registry.host,
      idempotencyKey: Options.text("idempotency-key").pipe(
        Options.withPseudoName("KEY"),
        Options.optional,
        Options.withDescription("a retry with the same key and manifest returns the first response (default: a random key)")
      ),
      ifMatch: Options.text("if-match").pipe(
        Options.withPseudoName("ETAG"),
        Options.optional,
        Options.withDescription("update only while the version's ETag is still this one (exit 3 otherwise)")
      ),
      createOnly: Options.boolean("create-only").pipe(
        Options.withDescription("only create: fail with exit 3 when the version exists (If-None-Match: *)")
      )
    },
    (args) =>
      Effect.gen(function*() {
        const manifest = yield* ManifestFile.load(args.file)
        if (args.dryRun) {
          const plan = yield* withRegistry(options, args.host, (registry) =>
            Diff.plan(registry, manifest, { ifMatch: Option.getOrUndefined(args.ifMatch), createOnly: args.createOnly }))
          return yield* printPlan(Option.getOrElse(args.output, () => "table" as const), plan)
        }
        const format = Option.getOrElse(args.output, () => "json" as const)
        const [before, result] = yield* withRegistry(options, args.host, (registry) =>
          Effect.all([
            format === "table" ? UpsertPlan.storedVersion(registry, manifest) : Effect.succeed(undefined),
            registry.upsert(manifest, {
              idempotencyKey: Option.getOrElse(args.idempotencyKey, () => randomUUID()),
              ifMatch: Option.getOrUndefined(args.ifMatch),
              ifNoneMatch: args.createOnly ? "*" : undefined
            })
          ])).pipe(
            Effect.catchTag("ValidationError", (error) =>
              Effect.fail(new Failure.InvalidInput({ what: `manifest ${ManifestFile.displayName(args.file)}`, error })))
          )
        const stored = result.modelVersion.manifest as Record<string, unknown>
        const cleared = before === undefined || result.created || result.replayed
          ? undefined
          : MUTABLE.filter((field) => (before.manifest as Record<string, unknown>)[field] !== undefined && stored[field] === undefined)
        yield* printModelVersion(format, result, {
          status: result.replayed ? "replayed" : result.created ? "created" : "updated",
          cleared
        })
      })
  ).pipe(
    Command.withDescription(describe({
      summary: "Create or update a model version from a manifest",
      details: "Creates the version when the manifest has no version (or names the next one), else replaces the " +
        "version's fields: description, metadata, version_alias, framework and environment absent from the manifest " +
        "are cleared (PUT), and -o table names the cleared fields; mreg update changes single fields. Use --dry-run " +
        "or mreg diff to see what would change first.",
      examples: [
        { what: "register the model version a manifest describes", command: "mreg upsert -f model.yaml" },
        { what: "see what it would change, without writing", command: "mreg upsert -f model.yaml --dry-run" },
        { what: "update only if nobody changed the version since you read it", command: "mreg upsert -f model.yaml --if-match 'W/\"3\"'" }
      ]
    }))
  )
