/**
 * The main thread's side of the dispatcher's worker thread (`worker.ts`, protocol in `protocol.ts`). All the main
 * thread does for webhooks, besides the outbox rows written in each write's transaction:
 *
 * - after a write commits, one atomic exchange on the wake-up word, and a `wake` message only when none is pending;
 * - the worker's outcome counts and queue depth go into this thread's Effect metrics (so `/metrics` shows them), its
 *   log entries into this thread's logger;
 * - on SQLite, the worker's one write per cycle (outcomes recorded, next claim) runs on this thread's connection:
 *   a second connection writing the file made the registry's writes start again whenever the two met (measured:
 *   12% of upserts, and the worker's transactions held the lock 5-120 ms when descheduled on a busy machine);
 * - a worker that exits on its own (it could not open the store, or a defect) is logged and started again after
 *   1 s, doubling up to 1 min;
 * - at the end of the scope: `stop` (the worker hands back its claimed rows and exits), and after 5 s `terminate()`
 *   (the rows it held are then due again when their lease passes, or at the next start on SQLite).
 *
 * The worker's entry is the compiled `worker.js` next to this module: the package runs from `dist` (the proxy's
 * binary, the bench, and the tests too — they import `@mreg/registry`, whose `exports` name `dist`, and `pnpm test`
 * builds first), and a worker thread cannot run TypeScript sources.
 * @internal
 */
import type { SqlClient } from "@effect/sql"
import { Cause, Deferred, Duration, Effect, Exit, LogLevel, Metric, Queue as Queue_, Schedule, type Scope } from "effect"
import { Worker } from "node:worker_threads"
import { countAttempts, queueDepth } from "./dispatcher.js"
import type { Outbox } from "./outbox.js"
import type { FromWorker, LogEntry, StoreAddress, ToWorker, WorkerData } from "./protocol.js"
import { type Queue, runRequest, sqlQueue } from "./queue.js"
import { toValue } from "./subscriptions.js"

/** Resolved when a worker starts, not at import: bundles of this package that never start one (the CLI) need no such file. */
const entry = () => new URL("./worker.js", import.meta.url)
const STOP_TIMEOUT = Duration.seconds(5)
const WAKE: ToWorker = { _tag: "wake" }
const STOP: ToWorker = { _tag: "stop" }

/** A worker's log entry, logged here (its annotations and error kept). */
const relog = (entry: LogEntry) => {
  const cause = entry.error === undefined
    ? Cause.empty
    : Cause.fail(
      typeof entry.error === "string"
        ? entry.error
        // The worker's error as it was: its name and message, no stack of this thread.
        : Object.assign(new Error(entry.error.message), { name: entry.error.name, stack: `${entry.error.name}: ${entry.error.message}` })
    )
  return Effect.logWithLevel(LogLevel.fromLiteral(entry.level), entry.message, cause).pipe(Effect.annotateLogs(entry.annotations))
}

const handle = (message: FromWorker, worker: Worker, queue: Queue | undefined): Effect.Effect<void> => {
  switch (message._tag) {
    case "store":
      // SQLite: the worker's one write per cycle, on this thread's connection (no second writer on the file).
      return (queue === undefined ? Effect.fail(undefined) : runRequest(queue, message.request) as Effect.Effect<unknown, unknown>).pipe(
        Effect.match({
          onFailure: () => worker.postMessage({ _tag: "stored", id: message.id, ok: false, result: undefined } satisfies ToWorker),
          onSuccess: (result) => worker.postMessage({ _tag: "stored", id: message.id, ok: true, result } satisfies ToWorker)
        })
      )
    case "counted":
      return countAttempts(message.counts)
    case "depth":
      return Metric.set(queueDepth, message.depth)
    case "log":
      return relog(message)
  }
}

/**
 * Starts one worker for the scope, its messages handled by a fiber of the same scope (which outlives the worker's
 * stop: the worker's last store requests are answered): its exit code when it ends on its own; `stop`, then
 * `terminate()`, at the end.
 */
const start = (data: WorkerData, queue: Queue | undefined, running: (worker: Worker | undefined) => void) =>
  Effect.gen(function*() {
    const messages = yield* Queue_.unbounded<FromWorker>()
    const exited = yield* Deferred.make<number>()
    const worker = new Worker(entry(), { workerData: data })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue_.take(messages), (message) => handle(message, worker, queue))))
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        running(undefined)
        worker.postMessage(STOP)
        return Deferred.await(exited)
      }).pipe(
        Effect.timeout(STOP_TIMEOUT),
        Effect.catchAll(() =>
          Effect.zipRight(
            Effect.logWarning("webhook dispatcher worker did not stop in time; terminated"),
            Effect.promise(() => worker.terminate())
          )
        )
      )
    )
    worker.on("message", (message: FromWorker) => Queue_.unsafeOffer(messages, message))
    // An uncaught exception: the worker exits (code 1) after this; the exit is what restarts it.
    worker.on("error", (error) => Queue_.unsafeOffer(messages, { _tag: "log", level: "Error", message: "webhook dispatcher worker failed", annotations: {}, error: { name: error.name, message: error.message } }))
    worker.on("exit", (code) => Deferred.unsafeDone(exited, Exit.succeed(code)))
    running(worker)
    return yield* Deferred.await(exited)
  })

/**
 * Runs `outbox`'s dispatcher in a worker thread on `store` until the scope closes (then stops it as above); `sql`,
 * the registry's own connection, serves the worker's store requests on SQLite. Never fails.
 */
export const runInWorker = (outbox: Outbox, store: StoreAddress, sql: SqlClient.SqlClient | undefined): Effect.Effect<never, never, Scope.Scope> =>
  Effect.gen(function*() {
    const word = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    const data: WorkerData = { file: toValue(outbox.config), store, wake: word.buffer as SharedArrayBuffer }
    let current: Worker | undefined
    // After each commit: a message only when the word goes from 0 to 1 (the worker resets it before each claim).
    const off = outbox.onWake(() => {
      if (current !== undefined && Atomics.exchange(word, 0, 1) === 0) current.postMessage(WAKE)
    })
    yield* Effect.addFinalizer(() => Effect.sync(off))
    const queue = store._tag === "Main" && sql !== undefined ? sqlQueue(sql) : undefined
    return yield* Effect.scoped(start(data, queue, (worker) => current = worker)).pipe(
      Effect.flatMap((code) => Effect.fail(code)),
      Effect.tapError((code) => Effect.logError("webhook dispatcher worker stopped; starting it again").pipe(Effect.annotateLogs({ exit_code: code }))),
      Effect.retry(Schedule.union(Schedule.exponential("1 second"), Schedule.spaced("1 minute"))),
      Effect.orDie
    )
  }).pipe(Effect.annotateLogs({ component: "webhooks" }))
