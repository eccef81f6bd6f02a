/**
 * Every error of the model-version API, as `Schema.TaggedError`s that cross the wire.
 *
 * Wire bodies (DESIGN.md, Errors):
 * - 422: `{"statusCode": 422, "code": "VALIDATION_ERROR", "message", "detail": [{"loc", "msg", "type"}]}` —
 *   FastAPI-compatible (`detail`) and HttpError-compatible (`statusCode`, `message`) in one body, every problem at once;
 * - others: TrueFoundry's `HttpError`, `{"statusCode", "code", "message", "details"?}`, where `details` is a list of
 *   objects (one object with the error's facts: `[{"field": "manifest.version_alias", "alias": "v1", "version": 3}]`).
 * No stack trace, SQL or driver text is ever put into a message, and an upstream's error text is decoded
 * ({@link fromResponse}), never passed through.
 *
 * Each error's HTTP status, wire code, `mreg` exit code and retry rule are written once, in {@link Table}.
 *
 * @since 0.1.0
 */
export * from "./internal/errorWire.js"
export * from "./internal/registryErrors.js"
