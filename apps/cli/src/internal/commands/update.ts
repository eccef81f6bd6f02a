/**
 * `mreg update`: read a model version, change only the fields `--set` / `--unset` name, and write it back with
 * `If-Match` its ETag, so that a change made by someone else in between is never overwritten (exit 3).
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { ModelManifest, RegistryError, Validation } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import { randomUUID } from "node:crypto"
import * as Diff from "../../Diff.js"
import * as Failure from "../../Failure.js"
import * as Output from "../../Output.js"
import * as Registry from "../../Registry.js"
import * as Edit from "../edit.js"
import { describe } from "../help.js"
import { versionArg } from "../resolve.js"
import { output, printModelVersion, withVersion } from "./shared.js"

const encodeManifest = Schema.encodeSync(ModelManifest.ModelManifest)

/** `manifest.metadata.accuracy` → `metadata.accuracy` */
const fieldPath = (change: Diff.Change): string => change.path.replace(/^manifest\./, "")

export const update = (options: Registry.Layers) =>
  Command.make(
    "update",
    {
      ref: versionArg,
      set: Options.text("set").pipe(
        Options.withPseudoName("PATH=VALUE"),
        Options.repeated,
        Options.withDescription(
          "set one field, such as metadata.accuracy=0.93 or version_alias=v2; VALUE is JSON when valid JSON, else " +
            "text; quote keys holding dots: metadata.\"a.b\"=1 (repeatable)"
        )
      ),
      unset: Options.text("unset").pipe(
        Options.withPseudoName("PATH"),
        Options.repeated,
        Options.withDescription("remove one field, such as framework or metadata.draft (repeatable; applied before --set)")
      ),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const edits = yield* Either.all([...args.unset.map(Edit.parseUnset), ...args.set.map(Edit.parseSet)])
        if (edits.length === 0) {
          return yield* Effect.fail(new Failure.UsageError({ message: "nothing to update: give --set PATH=VALUE or --unset PATH" }))
        }
        const out = yield* Output.Output
        const result = yield* withVersion(options, args.host, args.ref, (registry, current) =>
          Effect.gen(function*() {
            const stored = current.modelVersion
            const before = encodeManifest(stored.manifest) as Record<string, unknown>
            const after = yield* Edit.apply(before, edits)
            const manifest = yield* Either.mapLeft(
              Validation.decodeManifest(after),
              (error) => new Failure.InvalidInput({ what: `manifest of ${stored.fqn} after the update`, error })
            )
            const changes = Edit.MUTABLE.flatMap((field) => Diff.changes(`manifest.${field}`, before[field], after[field]))
            if (changes.length === 0) return { versioned: current, status: "unchanged" as const, changes }
            if (current.etag === undefined) {
              yield* out.stderr(`note: the registry sent no ETag for ${stored.fqn}: writing without If-Match, so a change made meanwhile would be overwritten`)
            }
            const written = yield* registry.upsert(manifest, { idempotencyKey: randomUUID(), ifMatch: current.etag }).pipe(
              Effect.catchTag("PreconditionFailed", (error) =>
                Effect.fail(
                  new RegistryError.PreconditionFailed({
                    message: `${stored.fqn} was changed by someone else after it was read (ETag ${current.etag}); nothing was ` +
                      "written: run mreg update again",
                    etag: error.etag
                  })
                ))
            )
            return { versioned: written, status: "updated" as const, changes }
          }))
        yield* printModelVersion(args.output, result.versioned, { status: result.status, changed: result.changes.map(fieldPath) })
      })
  ).pipe(
    Command.withDescription(describe({
      summary: "Change some fields of a model version, keeping the others",
      details: "Reads the version, applies --unset then --set, and writes it back with If-Match its ETag: a change " +
        "someone made in between is never overwritten (exit 3; run again). The fields an update can change are " +
        "description, version_alias, metadata, framework and environment; -o table names the changed ones.",
      examples: [
        { what: "record a metric", command: "mreg update model:default/nlp-team/sentiment-clf:latest --set metadata.accuracy=0.93" },
        { what: "give version 3 an alias and drop its framework", command: "mreg update model:default/nlp-team/sentiment-clf:3 --set version_alias=v3 --unset framework" }
      ]
    }))
  )
