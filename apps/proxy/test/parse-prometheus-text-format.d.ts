// The package ships no types: its one export, as its README describes it.
declare module "parse-prometheus-text-format" {
  /** Metric families of a Prometheus text exposition; sample values are strings. */
  export default function parsePrometheusTextFormat(text: string): Array<{
    readonly name: string
    readonly help: string
    readonly type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED"
    readonly metrics: ReadonlyArray<Record<string, unknown>>
  }>
}
