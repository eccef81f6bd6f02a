/**
 * @mreg/core: schemas, errors, FQNs and the ModelVersions service of the model-version API.
 * @since 0.1.0
 */

/** @since 0.2.0 */
export * as Apply from "./Apply.js"
/** @since 0.2.0 */
export * as ConsoleColor from "./ConsoleColor.js"
/** @since 0.1.0 */
export * as Environment from "./Environment.js"
/** @since 0.2.0 */
export * as Filter from "./Filter.js"
/** @since 0.1.0 */
export * as Fqn from "./Fqn.js"
/** @since 0.1.0 */
export * as Framework from "./Framework.js"
/** @since 0.1.0 */
export * as HubModelId from "./HubModelId.js"
/** @since 0.1.0 */
export * as JsonText from "./JsonText.js"
/** @since 0.1.0 */
export * as ListQueryParams from "./ListQueryParams.js"
/** @since 0.2.0 */
export * as ManifestJsonSchema from "./ManifestJsonSchema.js"
/** @since 0.1.0 */
export * as Metadata from "./Metadata.js"
/** @since 0.1.0 */
export * as MregConfig from "./MregConfig.js"
/** @since 0.2.0 */
export * as Model from "./Model.js"
/** @since 0.1.0 */
export * as ModelManifest from "./ModelManifest.js"
/** @since 0.1.0 */
export * as ModelVersion from "./ModelVersion.js"
/** @since 0.2.0 */
export * as ModelVersionEvent from "./ModelVersionEvent.js"
/** @since 0.1.0 */
export * as ModelVersions from "./ModelVersions.js"
/** @since 0.2.0 */
export * as PageToken from "./PageToken.js"
/** @since 0.1.0 */
export * as PipelineTag from "./PipelineTag.js"
/** @since 0.1.0 */
export * as RegistryApi from "./RegistryApi.js"
/** @since 0.1.0 */
export * as RegistryError from "./RegistryError.js"
/** @since 0.2.0 */
export * as Retry from "./Retry.js"
/** @since 0.1.0 */
export * as Source from "./Source.js"
/** @since 0.2.0 */
export * as Spelling from "./Spelling.js"
/** @since 0.2.0 */
export * as Telemetry from "./Telemetry.js"
/** @since 0.1.0 */
export * as Validation from "./Validation.js"
/** @since 0.2.0 */
export * as UpsertPlan from "./UpsertPlan.js"
