/**
 * @mreg/proxy: `mreg-proxy`, an HTTP server for the model-version API, on the embedded registry or in front of an
 * upstream control plane. Its public surface: the whole proxy from a configuration (`Proxy`, `ProxyConfig`, `Cli`),
 * the served contract (`Server`) and the Node server with its request limits (`NodeServer`), and who may call it (`Tokens`, `Auth`).
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Auth from "./Auth.js"
/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as NodeServer from "./NodeServer.js"
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
/** @since 0.2.0 */
export * as WebhooksServer from "./WebhooksServer.js"
