/**
 * `mreg upsert`.
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { type ModelManifest, ModelVersions } from "@mreg/core"
import { Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import * as Diff from "../../Diff.js"
import * as Failure from "../../Failure.js"
import * as ManifestFile from "../../ManifestFile.js"
import * as Registry from "../../Registry.js"
import { MUTABLE } from "../edit.js"
import { file, outputChoice, printModelVersion, printPlan, withRegistry } from "./shared.js"

/**
 * The stored version a manifest with a `version` names (ML repo, name and number), read before the write so that
 * the table output can name the fields the PUT clears; `undefined` when there is none (a create).
 */
const previous = (registry: ModelVersions.Service, manifest: ModelManifest.ModelManifest) =>
  manifest.version === undefined
    ? Effect.succeed(undefined)
    : Effect.map(
      registry.list(new ModelVersions.ListQuery({ ml_repo: manifest.ml_repo, name: manifest.name, version: manifest.version, limit: 1 })),
      (page) =>
        page.data.find((mv) =>
          mv.manifest.ml_repo === manifest.ml_repo && mv.manifest.name === manifest.name && mv.manifest.version === manifest.version
        )
    )

export const upsert = (options: Registry.Layers) =>
  Command.make(
    "upsert",
    {
      file,
      output: outputChoice.pipe(
        Options.optional,
        Options.withDescription(
          "json: the API's response body (default); yaml: the same body as YAML; table: readable columns " +
            "(the default with --dry-run, which prints what would change)"
        )
      ),
      dryRun: Options.boolean("dry-run").pipe(
        Options.withDescription(
          "write nothing: print what the upsert would change (as mreg diff does) and exit 3 when the registry would " +
            "reject it"
        )
      ),
      host: Registry.host,
      idempotencyKey: Options.text("idempotency-key").pipe(
        Options.optional,
        Options.withDescription("retrying with the same key and manifest returns the first response (default: a new random key)")
      ),
      ifMatch: Options.text("if-match").pipe(
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
            format === "table" ? previous(registry, manifest) : Effect.succeed(undefined),
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
    Command.withDescription(
      "Create a model version, or update one when the manifest names an existing version (PUT: a field the manifest " +
        "omits is cleared, and -o table names the cleared fields; mreg update changes single fields). With --dry-run, " +
        "only show what would change.\n" +
        "Example: mreg upsert -f sentiment-clf.yaml -o table"
    )
  )
