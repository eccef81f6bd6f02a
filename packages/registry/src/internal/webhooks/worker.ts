/**
 * The entry of the dispatcher's worker thread (started by `workerHost.ts`): its own Effect runtime and its own HTTP
 * client (undici), so that posting webhooks never takes time from the main thread that serves requests, and a slow
 * receiver cannot stall it. The store: on PostgreSQL its own small pool; on SQLite the main thread's connection (one
 * request per cycle, `queue.ts`).
 *
 * Runs the dispatcher until the main thread says `stop` (then the claimed rows are handed back and the thread
 * exits 0) or it fails to open the store (logged; exits 1, and the main thread starts it again later).
 * @internal
 */
import { Cause, Duration, Effect, Either, Exit, Fiber, HashMap, Logger, Redacted, type Scope } from "effect"
import { Buffer } from "node:buffer"
import { parentPort, workerData } from "node:worker_threads"
import { Pool } from "undici"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { layerPgClient } from "../../ModelVersionsSql.js"
import { makeDispatcher, type Post } from "./dispatcher.js"
import { type Queue, remoteQueue, sqlQueue } from "./queue.js"
import type { FromWorker, ToWorker, WorkerData } from "./protocol.js"
import { fromValue } from "./subscriptions.js"

const port = parentPort!
const data = workerData as WorkerData
const send = (message: FromWorker) => port.postMessage(message)

/** A failure as the proxy's log line shows it: an error's name and message (no stack), or the value as text. */
const errorOf = (cause: Cause.Cause<unknown>) => {
  const squashed = Cause.squash(cause)
  return squashed instanceof Error ? { name: squashed.name, message: squashed.message } : String(squashed)
}

/** Log entries go to the main thread, which logs them with its logger (the proxy's JSON lines). */
const forwardLogs = Logger.replace(
  Logger.defaultLogger,
  Logger.make((options) => {
    const messages: ReadonlyArray<unknown> = Array.isArray(options.message) ? options.message : [options.message]
    send({
      _tag: "log",
      level: options.logLevel._tag,
      message: messages.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" "),
      annotations: Object.fromEntries(HashMap.toEntries(options.annotations)),
      error: Cause.isEmpty(options.cause) ? undefined : errorOf(options.cause)
    })
  })
)

/**
 * A receiver URL as undici's `dispatch` takes it: origin and path, without user info, which becomes a Basic
 * `Authorization` header (as Node's `http.request` does with such a URL). Throws on a URL that cannot be parsed.
 */
const endpointOf = (text: string) => {
  const url = new URL(text)
  const authorization = url.username === "" && url.password === ""
    ? undefined
    : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`
  return { origin: url.origin, path: `${url.pathname}${url.search}`, authorization }
}

/** An error's code (`ECONNREFUSED`, `UND_ERR_SOCKET`…) or name: never its message, which may name the receiver. */
const reasonOf = (error: unknown) => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === "string" ? code : error instanceof Error ? error.name : "unknown"
}

/** Why an attempt is aborted: its timer ran out, or the dispatcher interrupted it (never reported). */
const TIMED_OUT = new Error("webhook attempt timed out")
const INTERRUPTED = new Error("webhook attempt interrupted")

/**
 * `Post` through undici (measured at about a tenth of the platform `HttpClient`'s CPU per delivery, docs/webhooks.md):
 * one keep-alive connection pool per receiver origin (made at the first delivery to it, closed with `pools`), the
 * request dispatched with a handler of its own (no response stream, promise or abort signal: the answer's body is
 * dropped as it arrives, unread), the whole attempt under `timeout` (one timer; interrupting the attempt aborts it too).
 * One callback-style `Effect.async` per attempt: no timeout fiber, no `Either` wrapping.
 */
const undiciPost = (pools: Map<string, Pool>): Post => {
  const endpoints = new Map<string, ReturnType<typeof endpointOf>>()
  return (url, headers, body, timeout) =>
    Effect.async<Either.Either<number, string>>((resume) => {
      const ms = Duration.toMillis(timeout)
      let settled = false
      let abort: ((reason: Error) => void) | undefined
      let status = 0
      const done = (answer: Either.Either<number, string>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(Effect.succeed(answer))
      }
      const timer = setTimeout(() => {
        done(Either.left(`no answer within ${ms} ms`))
        abort?.(TIMED_OUT)
      }, ms)
      try {
        // Inside the attempt: a URL that cannot be taken apart fails this delivery, not the dispatcher.
        let endpoint = endpoints.get(url)
        if (endpoint === undefined) endpoints.set(url, endpoint = endpointOf(url))
        let pool = pools.get(endpoint.origin)
        if (pool === undefined) pools.set(endpoint.origin, pool = new Pool(endpoint.origin))
        const { authorization } = endpoint
        pool.dispatch({
          origin: endpoint.origin,
          path: endpoint.path,
          method: "POST",
          headers: { ...headers, "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
          body
        }, {
          onRequestStart: (controller) => {
            // Started after a timeout or an interruption: not sent.
            if (settled) controller.abort(INTERRUPTED)
            else abort = (reason) => controller.abort(reason)
          },
          onResponseStart: (_, statusCode) => {
            status = statusCode
          },
          onResponseEnd: () => done(Either.right(status)),
          onResponseError: (_, error) => done(Either.left(`request failed (${reasonOf(error)})`))
        })
      } catch (error) {
        done(Either.left(`request failed (${reasonOf(error)})`))
      }
      return Effect.sync(() => {
        settled = true
        clearTimeout(timer)
        abort?.(INTERRUPTED)
      })
    })
}

const wakeWord = new Int32Array(data.wake)
const listeners = new Set<() => void>()

/** Store requests waiting for the main thread's answer, by id. */
const pending = new Map<number, (ok: boolean, result: unknown) => void>()
let nextId = 0
const mainThreadQueue = remoteQueue((request) =>
  Effect.async<unknown, SqlError>((resume) => {
    const id = nextId++
    pending.set(id, (ok, result) =>
      resume(ok ? Effect.succeed(result) : Effect.fail(new SqlError({ message: "the main thread's store request failed", cause: result }))))
    send({ _tag: "store", id, request })
    return Effect.sync(() => pending.delete(id))
  })
)

/** SQLite through the main thread's connection; PostgreSQL with this thread's own pool. */
const withQueue = <A, E>(use: (queue: Queue) => Effect.Effect<A, E, Scope.Scope>) =>
  data.store._tag === "Main"
    ? use(mainThreadQueue)
    : Effect.provide(Effect.flatMap(SqlClient.SqlClient, (sql) => use(sqlQueue(sql))), layerPgClient(Redacted.make(data.store.url)))

const program = Effect.gen(function*() {
  // The main thread validated the file; a failure here is a bug, not a user's mistake.
  const config = yield* Effect.orDie(fromValue(data.file, "the webhooks configuration"))
  const pools = yield* Effect.acquireRelease(
    Effect.sync(() => new Map<string, Pool>()),
    (pools) => Effect.promise(() => Promise.all(Array.from(pools.values(), (pool) => pool.destroy())))
  )
  return yield* withQueue((queue) =>
    makeDispatcher(config, {
      post: undiciPost(pools),
      counted: (counts) => Effect.sync(() => send({ _tag: "counted", counts })),
      depth: (depth) => Effect.sync(() => send({ _tag: "depth", depth })),
      onWake: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
      claiming: () => Atomics.store(wakeWord, 0, 0)
    }, queue)
  )
}).pipe(
  Effect.scoped,
  Effect.catchAll((error) => Effect.logError("webhook dispatcher: cannot open the registry store", Cause.fail(error))),
  Effect.annotateLogs({ component: "webhooks" }),
  Effect.provide(forwardLogs)
)

const fiber = Effect.runFork(program)
port.on("message", (message: ToWorker) => {
  switch (message._tag) {
    case "wake":
      for (const listener of listeners) listener()
      return
    case "stored":
      pending.get(message.id)?.(message.ok, message.result)
      pending.delete(message.id)
      return
    case "stop":
      Effect.runFork(Fiber.interrupt(fiber))
  }
})
fiber.addObserver((exit) => {
  // Interrupted by `stop`: done. Anything else (the store could not be opened, a defect) makes the main thread
  // start the worker again after a while.
  if (!Exit.isInterrupted(exit)) {
    if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
      send({ _tag: "log", level: "Error", message: "webhook dispatcher stopped", annotations: { component: "webhooks" }, error: errorOf(exit.cause) })
    }
    process.exitCode = 1
  }
  port.close()
})
