/**
 * The program of the `mreg-proxy` executable, loaded by `bin.ts` once V8's heap growing factor is set: runs the
 * command on `process.argv` with JSON logs on stdout. A configuration the proxy refuses, or a start-up failure, prints
 * one line on stderr and exits 1; SIGTERM/SIGINT shut down gracefully and exit 0. The only module that runs effects.
 * @internal
 */
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Option, Predicate } from "effect"
import * as Cli from "../Cli.js"
import * as RequestLog from "../RequestLog.js"

Cli.run(process.argv).pipe(
  Effect.tapErrorCause((cause) => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) return Effect.void // @effect/cli printed it
    const error = Option.getOrUndefined(failure)
    const message = Predicate.hasProperty(error, "message") && typeof error.message === "string"
      ? error.message
      : Cause.isInterruptedOnly(cause) ? undefined : "unexpected failure"
    return message === undefined ? Effect.void : Console.error(`mreg-proxy: ${message}`)
  }),
  Effect.provide(RequestLog.layerJson),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
