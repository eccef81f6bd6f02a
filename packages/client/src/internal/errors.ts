/**
 * Mapping of the core's tagged errors (and of Effect failures in general) to the client's error classes.
 * @internal
 */
import { RegistryError } from "@mreg/core"
import { Cause, Option } from "effect"
import * as Errors from "../Errors.js"

/** How each row of `RegistryError.Table` becomes a client error, from the core error's wire body. */
const byRow: { readonly [Name in RegistryError.RowName]: (body: RegistryError.ErrorBody) => Errors.MregError } = {
  ValidationError: (body) =>
    new Errors.ValidationError({
      message: body.message,
      issues: (body.detail ?? []).map((issue) => ({ loc: [...issue.loc], msg: issue.msg, type: issue.type }))
    }),
  InvalidJson: (body) => new Errors.InvalidJsonError(body),
  Unauthorized: (body) => new Errors.UnauthorizedError(body),
  Forbidden: (body) => new Errors.ForbiddenError(body),
  NotFound: (body) => new Errors.NotFoundError(body),
  Conflict: (body) => new Errors.ConflictError({ message: body.message, code: body.code as Errors.ConflictCode, details: body.details }),
  PreconditionFailed: (body) => new Errors.PreconditionFailedError(body),
  PayloadTooLarge: (body) => new Errors.PayloadTooLargeError(body),
  StoreError: (body) => new Errors.InternalError(body),
  StoreUnavailable: (body) => new Errors.StoreUnavailableError(body),
  UpstreamError: (body) => new Errors.UpstreamError({ message: body.message, status: 502, details: body.details }),
  GatewayTimeout: (body) => new Errors.UpstreamError({ message: body.message, status: 504, details: body.details })
}

/** The client error for a core `RegistryError`, built from its wire body (`RegistryError.toBody`). */
export const fromRegistryError = (error: RegistryError.RegistryError): Errors.MregError =>
  byRow[RegistryError.rowNameOf(error)](RegistryError.toBody(error))

const describe = (defect: unknown): string =>
  defect instanceof Error ? defect.message.split("\n")[0]! : typeof defect === "string" ? defect.split("\n")[0]! : "an unknown defect"

/**
 * The client error for the cause of a failed call: its typed failure, a {@link Errors.ClientClosedError} when it was
 * interrupted because the client closed, or an {@link Errors.InternalError} (with the defect as `cause`) for anything else.
 */
export const fromCause = (cause: Cause.Cause<RegistryError.RegistryError>): Errors.MregError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return fromRegistryError(failure.value)
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    return new Errors.InternalError({ message: `unexpected failure inside @mreg/client: ${describe(defect.value)}`, cause: defect.value })
  }
  return new Errors.ClientClosedError()
}
