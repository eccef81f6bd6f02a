#!/usr/bin/env node
/**
 * The `mreg-proxy` executable: runs the command on `process.argv` with JSON logs on stdout. A configuration the proxy
 * refuses, or a start-up failure, prints one line on stderr and exits 1; SIGTERM/SIGINT shut down gracefully and
 * exit 0. The only module that runs effects. It sets V8's heap growing factor first (`internal/heap.ts`).
 * @since 0.1.0
 */
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Option, Predicate } from "effect"
import { setFlagsFromString } from "node:v8"
import * as Cli from "./Cli.js"
import { heapGrowingFlag } from "./internal/heap.js"
import * as RequestLog from "./RequestLog.js"

const heapFlag = heapGrowingFlag(process.execArgv)
if (heapFlag !== undefined) setFlagsFromString(heapFlag)

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
