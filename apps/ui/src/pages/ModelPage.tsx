/**
 * A model's versions: `GET /models/{id}` for its name, `GET /model-versions?model_id=` for the table (version, alias,
 * tags, created, creator, deployable), searched with the filter language.
 */
import { get, type Model, mlRepoOf, type ModelVersion, when, who } from "../api.js"
import { useLoad } from "../load.js"
import { ErrorLine, Link, Searched, usePage } from "../parts.js"
import { href, navigate } from "../router.js"

export const ModelPage = (props: { readonly id: string; readonly filter: string }) => {
  const model = useLoad((signal) => get<{ data: Model }>(`/models/${encodeURIComponent(props.id)}`, {}, signal), [props.id])
  const query = { model_id: props.id, filter: props.filter }
  const versions = usePage<ModelVersion>("/model-versions", query, [props.id, props.filter])
  if (model.state === "error") return <><h1>Model</h1><ErrorLine error={model.error} /></>
  const repo = model.state === "ok" ? mlRepoOf(model.data.data.fqn) : undefined
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href={href({ page: "models", filter: "" })}>ML repos</Link>
        {repo === undefined ? null : <> / <Link href={href({ page: "models", mlRepo: repo, filter: "" })}>{repo}</Link></>}
      </nav>
      <h1>Model <span class="name">{model.state === "ok" ? model.data.data.name : "…"}</span></h1>
      {model.state === "ok" ? <p class="fqn"><code>{model.data.data.fqn}</code></p> : null}
      <Searched
        what="versions"
        filter={props.filter}
        page={versions}
        onSearch={(filter) => navigate(href({ page: "model", id: props.id, filter }))}
      >
        <table>
          <caption class="visually-hidden">Versions of the model</caption>
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Alias</th><th scope="col">Tags</th><th scope="col">Created</th><th scope="col">Created by</th><th scope="col">Deployable</th></tr>
          </thead>
          <tbody>
            {versions.rows.map((version) => (
              <tr key={version.id}>
                <th scope="row"><Link href={href({ page: "version", id: version.id })}>{version.manifest.version}</Link></th>
                <td>{version.manifest.version_alias ?? ""}</td>
                <td>{version.tags.join(", ")}</td>
                <td>{when(version.created_at)}</td>
                <td>{who(version.created_by_subject)}</td>
                <td>{version.deployable ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Searched>
    </>
  )
}
