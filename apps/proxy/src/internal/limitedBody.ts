/**
 * Body readers with a size limit that keep the connection usable for the answer: the platform's readers destroy the
 * request stream at the limit (and Node the socket: a reset instead of the 413); these pause it, fail with a
 * `RequestError` caused by {@link BodyTooLarge} and record the overflow, so the server can answer 413 and close.
 *
 * @internal
 */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Data, Effect, type Exit, Option, Stream } from "effect"
import { IncomingMessage } from "node:http"
import { answered } from "./nodeEdges.js"

/** The request body is larger than `limit` bytes; `size` when it was declared by `Content-Length`. */
export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{
  readonly limit: number
  readonly size: number | undefined
}> {}

/** What a request's readers observed: set when a body crossed its limit. */
export interface Overflow {
  value: BodyTooLarge | undefined
}

/** `HttpIncomingMessage.MaxBodySize` where the body is read, else `fallback` (the server's limit). */
const limitOf = (fallback: number | undefined) =>
  Effect.map(HttpIncomingMessage.MaxBodySize, (size) => Option.isSome(size) ? Option.some(Number(size.value)) : Option.fromNullable(fallback))

/** The declared `Content-Length` when it is a plain decimal number. */
export const declaredLength = (request: HttpServerRequest.HttpServerRequest): number | undefined => {
  const declared = request.headers["content-length"]
  return declared !== undefined && /^\s*\d+\s*$/.test(declared) ? Number(declared) : undefined
}

/**
 * `effect` run at most once: the first run's exit is kept and given to every later or concurrent run. What
 * `Effect.runSync(Effect.cached(effect))` does, without running a fiber per request to build it.
 */
const once = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  let done: Exit.Exit<A, E> | undefined
  let waiting: Array<(exit: Exit.Exit<A, E>) => void> | undefined
  return Effect.suspend(() => {
    if (done !== undefined) return done
    if (waiting !== undefined) {
      const queue = waiting
      return Effect.async<A, E>((resume) => {
        queue.push(resume)
        return Effect.sync(() => queue.splice(queue.indexOf(resume), 1))
      })
    }
    const queue: Array<(exit: Exit.Exit<A, E>) => void> = []
    waiting = queue
    return Effect.onExit(effect, (exit) =>
      Effect.sync(() => {
        done = exit
        waiting = undefined
        for (const resume of queue) resume(exit)
      }))
  })
}

/**
 * `request` with size-limited body readers (`text`, `json`, `arrayBuffer`, `urlParamsBody`, `stream`), the limit
 * being `HttpIncomingMessage.MaxBodySize` where the body is read, else `maxBodyBytes` (set no `MaxBodySize` per
 * request: a `FiberRef` set around the whole app copied the fiber's refs twice per request). `modify` keeps the readers. Works on Node requests
 * and on the web requests of in-process handlers (`HttpApiBuilder.toWebHandler`).
 */
export const limited = (
  request: HttpServerRequest.HttpServerRequest,
  overflow: Overflow,
  maxBodyBytes?: number
): HttpServerRequest.HttpServerRequest => {
  // A Node request's `IncomingMessage`, or the web `Request` of an in-process handler.
  const source: unknown = NodeHttpServerRequest.toIncomingMessage(request)
  const decodeError = (cause: unknown, description?: string) =>
    new HttpServerError.RequestError({ request, reason: "Decode", cause, ...(description === undefined ? {} : { description }) })
  const tooLarge = (limit: number, size: number | undefined) => {
    const error = new BodyTooLarge({ limit, size })
    overflow.value ??= error
    return decodeError(error, `the request body is larger than the limit of ${limit} bytes`)
  }
  const check = (limit: Option.Option<number>) => {
    const declared = declaredLength(request)
    return Option.isSome(limit) && declared !== undefined && declared > limit.value
      ? Effect.fail(tooLarge(limit.value, declared))
      : Effect.void
  }

  /** Counts the chunks of a body against the limit: the failure when one crosses it, else `undefined` (kept). */
  const counter = (limit: Option.Option<number>, chunks: Array<Uint8Array>) => {
    let size = 0
    return (chunk: Uint8Array) => {
      size += chunk.length
      if (Option.isSome(limit) && size > limit.value) return tooLarge(limit.value, undefined)
      chunks.push(chunk)
      return undefined
    }
  }

  /**
   * A Node request's body, read with a `data` listener until `end`: a chunk over the limit pauses the stream (it is
   * not destroyed, so the connection can carry the 413). A connection Node answered itself (a timeout,
   * `answered`) is not failed here: its request is interrupted when the socket closes.
   */
  const readNode = (source: IncomingMessage, limit: Option.Option<number>) =>
    Effect.async<Buffer, HttpServerError.RequestError>((resume) => {
      const chunks: Array<Uint8Array> = []
      const onChunk = counter(limit, chunks)
      const stop = () => {
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onError)
        source.off("aborted", onAborted)
        source.pause()
      }
      const fail = (error: HttpServerError.RequestError) => {
        stop()
        resume(Effect.fail(error))
      }
      const onData = (chunk: Uint8Array) => {
        const failure = onChunk(chunk)
        if (failure !== undefined) fail(failure)
      }
      const onEnd = () => {
        stop()
        resume(Effect.succeed(Buffer.concat(chunks)))
      }
      const onError = (error: unknown) => answered.has(source.socket) ? stop() : fail(decodeError(error))
      const onAborted = () => onError(new Error("the client closed the connection before the body was complete"))
      if (source.readableEnded) return resume(Effect.succeed(Buffer.alloc(0)))
      source.on("data", onData)
      source.once("end", onEnd)
      source.once("error", onError)
      source.once("aborted", onAborted)
      return Effect.sync(stop)
    })

  /** A web request's body (in-process handlers), counted against the limit as it is read. */
  const readWeb = (limit: Option.Option<number>) =>
    Effect.suspend(() => {
      const chunks: Array<Uint8Array> = []
      const onChunk = counter(limit, chunks)
      return Stream.runForEach(request.stream, (chunk) => {
        const failure = onChunk(chunk)
        return failure === undefined ? Effect.void : Effect.fail(failure)
      }).pipe(Effect.map(() => Buffer.concat(chunks)))
    })

  const bytes = once(Effect.flatMap(limitOf(maxBodyBytes), (limit) =>
    Effect.zipRight(
      check(limit),
      source instanceof IncomingMessage ? readNode(source, limit) : (source as Request).body === null ? Effect.succeed(Buffer.alloc(0)) : readWeb(limit)
    )))
  const text = Effect.map(bytes, (buffer) => buffer.toString("utf8"))
  const json = Effect.flatMap(text, (body) =>
    Effect.try({ try: () => (body === "" ? null : JSON.parse(body) as unknown), catch: (error) => decodeError(error) }))
  const arrayBuffer = Effect.map(bytes, (buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer)
  const urlParamsBody = Effect.flatMap(text, (body) =>
    Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(body)), catch: (error) => decodeError(error) }))
  // The body as one chunk, read by `bytes` (same limit and overflow rules; at most the limit is buffered). A
  // `Stream.async` per request cost about 2 ms of CPU per upsert under load (its queue, fibers and channel).
  const stream = Stream.fromEffect(bytes)

  const readers: PropertyDescriptorMap = {
    text: { get: () => text },
    json: { get: () => json },
    arrayBuffer: { get: () => arrayBuffer },
    urlParamsBody: { get: () => urlParamsBody },
    stream: { get: () => stream }
  }
  const wrap = (self: HttpServerRequest.HttpServerRequest): HttpServerRequest.HttpServerRequest =>
    Object.create(self, {
      ...readers,
      modify: { value: (options: Parameters<HttpServerRequest.HttpServerRequest["modify"]>[0]) => wrap(self.modify(options)) }
    }) as HttpServerRequest.HttpServerRequest
  return wrap(request)
}
