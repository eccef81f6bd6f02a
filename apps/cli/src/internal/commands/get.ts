/**
 * `mreg get`.
 * @internal
 */
import { Args, Command } from "@effect/cli"
import { Fqn, ModelVersion, ModelVersions, RegistryError } from "@mreg/core"
import { Effect, Either, Schema } from "effect"
import * as Failure from "../../Failure.js"
import * as Registry from "../../Registry.js"
import { output, printModelVersion, withRegistry } from "./shared.js"

export const get = (options: Registry.Layers) =>
  Command.make(
    "get",
    {
      ref: Args.text({ name: "id-or-fqn" }).pipe(
        Args.withDescription("a model version id, or an FQN model:{tenant}/{ml_repo}/{name}:{version, alias or latest}")
      ),
      output,
      host: Registry.host
    },
    (args) =>
      Effect.gen(function*() {
        const versioned = yield* Fqn.isFqnLike(args.ref)
          ? Effect.gen(function*() {
            yield* Either.mapLeft(
              Fqn.parseModelVersion(args.ref),
              (error) => new Failure.UsageError({ message: `invalid FQN ${JSON.stringify(args.ref)}: ${error.message}` })
            )
            return yield* withRegistry(options, args.host, (registry) =>
              Effect.gen(function*() {
                const page = yield* registry.list(new ModelVersions.ListQuery({ fqn: args.ref, limit: 1 }))
                const [first] = page.data
                if (first === undefined) {
                  return yield* Effect.fail(new RegistryError.NotFound({ message: `no model version with FQN "${args.ref}"` }))
                }
                return yield* registry.get(first.id)
              }))
          })
          : Effect.gen(function*() {
            const id = yield* Either.mapLeft(
              Schema.decodeEither(ModelVersion.ModelVersionId)(args.ref),
              () => new Failure.UsageError({ message: "give a model version id or an FQN (model:…), not an empty string" })
            )
            return yield* withRegistry(options, args.host, (registry) => registry.get(id))
          })
        yield* printModelVersion(args.output, versioned)
      })
  ).pipe(Command.withDescription("Show one model version, by id or by FQN (a version number, an alias or latest after the colon)."))
