/**
 * Mapping of the core's tagged errors (and of Effect failures in general) to the client's error classes.
 * @internal
 */
import { RegistryError } from "@mreg/core"
import { Cause, Option } from "effect"
import {
  ClientClosedError,
  ConflictError,
  type ConflictCode,
  ForbiddenError,
  InternalError,
  InvalidJsonError,
  type MregError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  UnauthorizedError,
  UpstreamError,
  ValidationError
} from "../Errors.js"

/** The client error for a core `RegistryError`, built from its wire body (`RegistryError.toBody`). */
export const fromRegistryError = (error: RegistryError.RegistryError): MregError => {
  const body = RegistryError.toBody(error)
  const message = body.message
  const details = body.details
  switch (error._tag) {
    case "ValidationError":
      return new ValidationError({
        message,
        issues: (body.detail ?? []).map((issue) => ({ loc: [...issue.loc], msg: issue.msg, type: issue.type }))
      })
    case "InvalidJson":
      return new InvalidJsonError({ message, details })
    case "Unauthorized":
      return new UnauthorizedError({ message })
    case "Forbidden":
      return new ForbiddenError({ message })
    case "NotFound":
      return new NotFoundError({ message })
    case "Conflict":
      return new ConflictError({ message, code: body.code as ConflictCode, details })
    case "PreconditionFailed":
      return new PreconditionFailedError({ message, details })
    case "PayloadTooLarge":
      return new PayloadTooLargeError({ message, details })
    case "StoreError":
      return new InternalError({ message })
    case "UpstreamError":
      return new UpstreamError({ message, status: error.status, details })
  }
}

const describe = (defect: unknown): string =>
  defect instanceof Error ? defect.message.split("\n")[0]! : typeof defect === "string" ? defect.split("\n")[0]! : "an unknown defect"

/**
 * The client error for the cause of a failed call: its typed failure, a {@link ClientClosedError} when it was
 * interrupted because the client closed, or an {@link InternalError} (with the defect as `cause`) for anything else.
 */
export const fromCause = (cause: Cause.Cause<RegistryError.RegistryError>): MregError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return fromRegistryError(failure.value)
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    return new InternalError({ message: `unexpected failure inside @mreg/client: ${describe(defect.value)}`, cause: defect.value })
  }
  return new ClientClosedError()
}
