// js-yaml ships no types; this is the one function the model page uses (to read a
// model's MLmodel file, YAML as MLflow writes it).
declare module 'js-yaml' {
  /** Parse one YAML document (js-yaml 4's default schema: data only, no code). */
  export function load(text: string): unknown;
}
