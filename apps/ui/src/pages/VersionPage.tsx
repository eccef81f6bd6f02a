/**
 * A model version: `GET /model-versions/{id}` (FQN with a copy button, tags, framework, environment, metadata as a
 * table, the manifest pretty-printed) and `GET /model-versions/{id}/history` (a timeline, oldest first).
 */
import { useState } from "preact/hooks"
import { get, mlRepoOf, type ModelVersion, type Page, type VersionEvent, when, who } from "../api.js"
import { useLoad } from "../load.js"
import { ErrorLine, Link, Status } from "../parts.js"
import { href } from "../router.js"

/** A value in a cell: strings as they are, anything else as JSON. */
const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

/** Nested objects as rows of dotted paths (`eval.f1`); arrays and scalars are leaves. */
const flatten = (value: Record<string, unknown>, prefix = ""): Array<readonly [string, unknown]> =>
  Object.entries(value).flatMap(([key, inner]) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner) && Object.keys(inner).length > 0
      ? flatten(inner as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, inner] as const]
  )

const Pairs = (props: { readonly caption: string; readonly rows: ReadonlyArray<readonly [string, unknown]>; readonly empty: string }) =>
  props.rows.length === 0 ? <p>{props.empty}</p> : (
    <table class="pairs">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
      <tbody>
        {props.rows.map(([key, value]) => <tr key={key}><th scope="row"><code>{key}</code></th><td><code>{show(value)}</code></td></tr>)}
      </tbody>
    </table>
  )

/** The FQN and a button that copies it (the result announced to screen readers). */
const Fqn = (props: { readonly fqn: string }) => {
  const [copied, setCopied] = useState("")
  const copy = () =>
    navigator.clipboard.writeText(props.fqn).then(
      () => setCopied("FQN copied"),
      () => setCopied("Copying was refused: select the FQN and copy it")
    )
  return (
    <p class="fqn">
      <code id="fqn">{props.fqn}</code>{" "}
      <button type="button" onClick={copy} aria-describedby="fqn">Copy FQN</button>{" "}
      <span role="status">{copied}</span>
    </p>
  )
}

const History = (props: { readonly id: string }) => {
  const loaded = useLoad((signal) => get<Page<VersionEvent>>(`/model-versions/${encodeURIComponent(props.id)}/history`, {}, signal), [props.id])
  return (
    <section aria-labelledby="history">
      <h2 id="history">History</h2>
      <Status loaded={loaded} what="history" />
      {loaded.state !== "ok" ? null : (
        <ol class="timeline">
          {loaded.data.data.map((event) => (
            <li key={event.id}>
              <p>
                <strong>{event.type.replace("_", " ")}</strong> by {who(event.subject)}, <time dateTime={event.at}>{when(event.at)}</time>{" "}
                <span class="muted">(revision {event.revision})</span>
              </p>
              {event.changes.length === 0 ? null : (
                <ul>
                  {event.changes.map((change) => (
                    <li key={change.path}>
                      <code>{change.path}</code>: {"before" in change ? <del>{show(change.before)}</del> : null}
                      {"before" in change && "after" in change ? " → " : null}
                      {"after" in change ? <ins>{show(change.after)}</ins> : null}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      {loaded.state === "ok" && loaded.data.pagination.total > loaded.data.data.length
        ? <p>Showing the first {loaded.data.data.length} of {loaded.data.pagination.total} events.</p>
        : null}
    </section>
  )
}

export const VersionPage = (props: { readonly id: string }) => {
  const loaded = useLoad((signal) => get<{ data: ModelVersion }>(`/model-versions/${encodeURIComponent(props.id)}`, {}, signal), [props.id])
  if (loaded.state === "loading") return <><h1>Model version</h1><Status loaded={loaded} what="the model version" /></>
  if (loaded.state === "error") return <><h1>Model version</h1><ErrorLine error={loaded.error} /></>
  const version = loaded.data.data
  const { manifest } = version
  const repo = mlRepoOf(version.fqn)
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href={href({ page: "models", filter: "" })}>ML repos</Link> / <Link href={href({ page: "models", mlRepo: repo, filter: "" })}>{repo}</Link>
        {" / "}<Link href={href({ page: "model", id: version.model_id, filter: "" })}>{manifest.name}</Link>
      </nav>
      <h1><span class="name">{manifest.name}</span> version {manifest.version}</h1>
      <Fqn fqn={version.fqn} />
      {manifest.description === undefined ? null : <p>{manifest.description}</p>}
      <dl class="facts">
        <dt>Alias</dt><dd>{manifest.version_alias ?? "none"}</dd>
        <dt>Tags</dt><dd>{version.tags.length === 0 ? "none" : <ul class="chips">{version.tags.map((tag) => <li key={tag}>{tag}</li>)}</ul>}</dd>
        <dt>Created</dt><dd>{when(version.created_at)} by {who(version.created_by_subject)}</dd>
        <dt>Updated</dt><dd>{when(version.updated_at)}</dd>
        <dt>Deployable</dt><dd>{version.deployable ? "yes" : "no"}</dd>
        {manifest.run_id === undefined ? null : <><dt>Run</dt><dd><code>{manifest.run_id}</code></dd></>}
        {manifest.step === undefined ? null : <><dt>Step</dt><dd>{manifest.step}</dd></>}
      </dl>
      <h2>Metadata</h2>
      <Pairs caption="Metadata" rows={flatten(manifest.metadata)} empty="No metadata." />
      <h2>Framework</h2>
      <Pairs caption="Framework" rows={flatten(manifest.framework ?? {})} empty="No framework." />
      <h2>Environment</h2>
      <Pairs caption="Environment" rows={flatten(manifest.environment ?? {})} empty="No environment." />
      <History id={version.id} />
      <h2 id="manifest">Manifest</h2>
      <pre tabIndex={0} aria-labelledby="manifest"><code>{JSON.stringify(manifest, null, 2)}</code></pre>
    </>
  )
}
