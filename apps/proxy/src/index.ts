/**
 * @mreg/proxy: `mreg-proxy`, an HTTP server for the model-version API, on the embedded registry or in front of an
 * upstream control plane.
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Auth from "./Auth.js"
/** @since 0.1.0 */
export * as Backend from "./Backend.js"
/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Embedded from "./Embedded.js"
/** @since 0.1.0 */
export * as ErrorResponse from "./ErrorResponse.js"
/** @since 0.1.0 */
export * as JsonBody from "./JsonBody.js"
/** @since 0.1.0 */
export * as ListParams from "./ListParams.js"
/** @since 0.1.0 */
export * as Proxy from "./Proxy.js"
/** @since 0.1.0 */
export * as ProxyConfig from "./ProxyConfig.js"
/** @since 0.1.0 */
export * as RequestLog from "./RequestLog.js"
/** @since 0.1.0 */
export * as Server from "./Server.js"
/** @since 0.1.0 */
export * as Tokens from "./Tokens.js"
/** @since 0.1.0 */
export * as Upstream from "./Upstream.js"
