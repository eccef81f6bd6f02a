/**
 * ML repos and models: `GET /models` (all the caller may see, or one ML repo's), searched with the filter language.
 */
import { type Model, mlRepoOf, when, who } from "../api.js"
import { Link, Searched, usePage } from "../parts.js"
import { href, navigate } from "../router.js"

export const ModelsPage = (props: { readonly mlRepo?: string | undefined; readonly filter: string }) => {
  const query = { ml_repo: props.mlRepo, filter: props.filter }
  const models = usePage<Model>("/models", query, [props.mlRepo, props.filter])
  const repos = [...new Set(models.rows.map((model) => mlRepoOf(model.fqn)))].sort()
  return (
    <>
      <h1>{props.mlRepo === undefined ? "ML repos and models" : <>Models in ML repo <span class="name">{props.mlRepo}</span></>}</h1>
      {props.mlRepo === undefined ? null : <p><Link href={href({ page: "models", filter: props.filter })}>All ML repos</Link></p>}
      <Searched
        what="models"
        filter={props.filter}
        page={models}
        onSearch={(filter) => navigate(href({ page: "models", mlRepo: props.mlRepo, filter }))}
      >
        {props.mlRepo !== undefined ? null : (
          <nav aria-label="ML repos on this page">
            <h2>ML repos</h2>
            <ul class="chips">
              {repos.map((repo) => <li key={repo}><Link href={href({ page: "models", mlRepo: repo, filter: props.filter })}>{repo}</Link></li>)}
            </ul>
          </nav>
        )}
        <h2>Models</h2>
        <table>
          <thead>
            <tr><th scope="col">Model</th><th scope="col">ML repo</th><th scope="col">Latest version</th><th scope="col">Updated</th><th scope="col">Created by</th></tr>
          </thead>
          <tbody>
            {models.rows.map((model) => (
              <tr key={model.id}>
                <th scope="row"><Link href={href({ page: "model", id: model.id, filter: "" })}>{model.name}</Link></th>
                <td>{mlRepoOf(model.fqn)}</td>
                <td>
                  {model.latest_version === undefined ? "none (all deleted)" : (
                    <Link href={href({ page: "version", id: model.latest_version.id })}>
                      {model.latest_version.manifest.version}
                      {model.latest_version.manifest.version_alias === undefined ? null : ` (${model.latest_version.manifest.version_alias})`}
                    </Link>
                  )}
                </td>
                <td>{when(model.updated_at)}</td>
                <td>{who(model.created_by_subject)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Searched>
    </>
  )
}
