/**
 * The webhooks file: subscriptions (name, URL, events, optional ML repo filter, Standard Webhooks secret) and the
 * delivery settings, decoded strictly; every problem names the entry, the field, the rule and the value received
 * (a secret is described, never shown).
 * @internal
 */
import { Spelling, Validation } from "@mreg/core"
import { Data, Duration, Either, Redacted, Schema } from "effect"

/** The events a subscription can ask for: the history's event types. */
export const EventType = Schema.Literal("created", "updated", "tags_applied", "deleted")
export type EventType = typeof EventType.Type

const received = (value: unknown) => ` (received ${Validation.receivedValue(value)})`

const Name = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message: (issue) => `must be 1-63 lowercase letters, digits and "-", starting with a letter or digit${received(issue.actual)}`
  })
)

/** An http(s) URL whose user info, if any, decodes (the dispatcher sends it as a Basic `Authorization` header). */
const NOT_A_URL = "must be an absolute http:// or https:// URL"
const Url = Schema.String.pipe(
  Schema.filter((text) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return NOT_A_URL
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return NOT_A_URL
    try {
      decodeURIComponent(url.username)
      decodeURIComponent(url.password)
      return true
    } catch {
      return "the user name and password must decode as percent-encoding: each \"%\" starts an escape of two hex digits of UTF-8, such as %25 for \"%\" itself (the value is not shown)"
    }
  })
)

const MlRepoPattern = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9*-]+$/, {
    message: (issue) => `must be an ML repo name or a pattern of letters, digits, "-" and "*"${received(issue.actual)}`
  })
)

/** `whsec_` and the base64 of 24 to 64 random bytes (Standard Webhooks' secret format). */
const SecretText = Schema.String.pipe(
  Schema.filter((text) => {
    if (!text.startsWith("whsec_")) return false
    const body = text.slice("whsec_".length)
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return false
    const bytes = Buffer.from(body, "base64").length
    return bytes >= 24 && bytes <= 64
  }, { message: () => "must be \"whsec_\" followed by the base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))" })
)

const EVENT_TYPES: ReadonlyArray<string> = EventType.literals
const ONE_OF_EVENTS = `must be one of ${EVENT_TYPES.map((type) => JSON.stringify(type)).join(", ")}`

/** An event type; otherwise the allowed ones, the value received and the closest one (`"creatd"` → `"created"`). */
const Event = Schema.compose(
  Schema.Unknown.pipe(Schema.filter((value) => {
    if (typeof value === "string" && EVENT_TYPES.includes(value)) return true
    const guess = typeof value === "string" ? Spelling.didYouMean(value, EVENT_TYPES) : undefined
    return `${ONE_OF_EVENTS}${received(value)}${guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`}`
  })),
  EventType,
  { strict: false }
)

const Events = Schema.Array(Event).pipe(
  Schema.minItems(1, { message: () => "must name at least one of created, updated, tags_applied, deleted" })
)

const Positive = (max: number) =>
  Schema.Int.pipe(
    Schema.between(1, max, { message: (issue) => `must be an integer from 1 to ${max}${received(issue.actual)}` })
  )

const Subscription = Schema.Struct({
  name: Name,
  url: Url,
  events: Events,
  ml_repo: Schema.optional(MlRepoPattern),
  secret: Schema.Redacted(SecretText)
})

const Delivery = Schema.Struct({
  timeout_ms: Schema.optional(Positive(300_000)),
  max_attempts: Schema.optional(Positive(100)),
  backoff_ms: Schema.optional(Positive(86_400_000)),
  max_backoff_ms: Schema.optional(Positive(86_400_000)),
  poll_ms: Schema.optional(Positive(3_600_000)),
  lease_ms: Schema.optional(Positive(3_600_000)),
  batch: Schema.optional(Positive(1000))
})

/** The file: `{subscriptions: [...], delivery?: {...}}`. */
export const WebhooksFile = Schema.Struct({
  subscriptions: Schema.Array(Subscription),
  delivery: Schema.optional(Delivery)
})

/** One subscription: who receives which events, signed with which secret. */
export interface Subscription {
  readonly name: string
  readonly url: string
  readonly events: ReadonlySet<EventType>
  /** ML repo pattern (`*` any run of characters); `undefined` for every ML repo. */
  readonly mlRepo: string | undefined
  readonly secret: Redacted.Redacted<string>
  /** Whether an event of `type` on `mlRepo` goes to this subscription. */
  readonly wants: (type: string, mlRepo: string) => boolean
}

/** How the dispatcher delivers: time limit of one attempt, retry limit and backoff, polling, lease, batch size. */
export interface DeliverySettings {
  readonly timeout: Duration.Duration
  readonly maxAttempts: number
  readonly backoff: Duration.Duration
  readonly maxBackoff: Duration.Duration
  readonly poll: Duration.Duration
  readonly lease: Duration.Duration
  readonly batch: number
}

export const DEFAULT_SETTINGS: DeliverySettings = {
  timeout: Duration.seconds(10),
  maxAttempts: 8,
  backoff: Duration.seconds(1),
  maxBackoff: Duration.hours(1),
  poll: Duration.seconds(1),
  lease: Duration.seconds(60),
  batch: 128
}

export interface Config {
  readonly subscriptions: ReadonlyArray<Subscription>
  readonly settings: DeliverySettings
}

export class WebhooksFileError extends Data.TaggedError("WebhooksFileError")<{ readonly message: string }> {}

const patternRegExp = (pattern: string) => new RegExp(`^${pattern.split("*").join(".*")}$`)

const makeSubscription = (entry: typeof Subscription.Type): Subscription => {
  const events = new Set(entry.events)
  const repo = entry.ml_repo === undefined ? undefined : patternRegExp(entry.ml_repo)
  return {
    name: entry.name,
    url: entry.url,
    events,
    mlRepo: entry.ml_repo,
    secret: entry.secret,
    wants: (type, mlRepo) => events.has(type as EventType) && (repo === undefined || repo.test(mlRepo))
  }
}

const decode = Schema.decodeUnknownEither(WebhooksFile, { errors: "all", onExcessProperty: "error" })

const place = (loc: ReadonlyArray<string | number>, names: ReadonlyArray<string | undefined>) => {
  const entry = loc[0] === "subscriptions" && typeof loc[1] === "number" ? names[loc[1]] : undefined
  const path = loc.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("") || "(file)"
  return entry === undefined ? path : `${path} (subscription ${Validation.receivedValue(entry)})`
}

/** The name of each entry that has a string one, to name entries in messages. */
const namesOf = (value: unknown): ReadonlyArray<string | undefined> => {
  const list = typeof value === "object" && value !== null ? (value as { subscriptions?: unknown }).subscriptions : undefined
  return Array.isArray(list)
    ? list.map((entry) => (typeof entry === "object" && entry !== null && typeof entry.name === "string" ? entry.name : undefined))
    : []
}

/** Validates a parsed webhooks file (`source` names it in messages). */
export const fromValue = (value: unknown, source: string): Either.Either<Config, WebhooksFileError> => {
  const names = namesOf(value)
  const fail = (problems: ReadonlyArray<string>) =>
    Either.left(new WebhooksFileError({ message: `${source} is not a valid webhooks file: ${problems.join("; ")}` }))
  const decoded = decode(value)
  if (Either.isLeft(decoded)) {
    return fail(Validation.fromParseError(decoded.left, [], { unknownValues: "hidden" }).detail.map((issue) => {
      const secret = issue.loc.at(-1) === "secret" && issue.type !== "missing"
      return `${place(issue.loc, names)}: ${secret ? "must be \"whsec_\" followed by the base64 of 24 to 64 random bytes (the value is not shown)" : issue.msg}`
    }))
  }
  const file = decoded.right
  const seen = new Set<string>()
  for (const [index, entry] of file.subscriptions.entries()) {
    if (seen.has(entry.name)) {
      return fail([`subscriptions[${index}].name: must be unique; ${Validation.receivedValue(entry.name)} names an earlier subscription`])
    }
    seen.add(entry.name)
  }
  const d = file.delivery ?? {}
  const ms = (value: number | undefined, fallback: Duration.Duration) => (value === undefined ? fallback : Duration.millis(value))
  const settings: DeliverySettings = {
    timeout: ms(d.timeout_ms, DEFAULT_SETTINGS.timeout),
    maxAttempts: d.max_attempts ?? DEFAULT_SETTINGS.maxAttempts,
    backoff: ms(d.backoff_ms, DEFAULT_SETTINGS.backoff),
    maxBackoff: ms(d.max_backoff_ms, DEFAULT_SETTINGS.maxBackoff),
    poll: ms(d.poll_ms, DEFAULT_SETTINGS.poll),
    lease: ms(d.lease_ms, DEFAULT_SETTINGS.lease),
    batch: d.batch ?? DEFAULT_SETTINGS.batch
  }
  if (Duration.lessThanOrEqualTo(settings.lease, settings.timeout)) {
    return fail([`delivery.lease_ms: must be longer than delivery.timeout_ms (${Duration.toMillis(settings.timeout)})${received(Duration.toMillis(settings.lease))}`])
  }
  return Either.right({ subscriptions: file.subscriptions.map(makeSubscription), settings })
}

/** A receiver URL as it may be logged or listed: scheme, host, port and path; no user info, query or fragment. */
export const safeUrl = (text: string): string => {
  try {
    const url = new URL(text)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return "(invalid URL)"
  }
}

/**
 * A configuration back as the file value {@link fromValue} reads (secrets revealed): how a dispatcher worker thread
 * receives it (in memory, through `workerData`; never logged or written anywhere).
 */
export const toValue = (config: Config): typeof WebhooksFile.Encoded => ({
  subscriptions: config.subscriptions.map((s) => ({
    name: s.name,
    url: s.url,
    events: [...s.events],
    ...(s.mlRepo === undefined ? {} : { ml_repo: s.mlRepo }),
    secret: Redacted.value(s.secret)
  })),
  delivery: {
    timeout_ms: Duration.toMillis(config.settings.timeout),
    max_attempts: config.settings.maxAttempts,
    backoff_ms: Duration.toMillis(config.settings.backoff),
    max_backoff_ms: Duration.toMillis(config.settings.maxBackoff),
    poll_ms: Duration.toMillis(config.settings.poll),
    lease_ms: Duration.toMillis(config.settings.lease),
    batch: config.settings.batch
  }
})
