// Template injection: templates that try to reach the process (env, exec, files), the prototype
// chain, or to exhaust it (huge output, deep recursion, endless ranges, printf widths), plus
// malformed ones. Go's text/template semantics apply: each must be refused with a condition, or
// render within the engine's limits — never hang, crash or leak another value.
import { type Idea, setPath } from "../idea.ts";

const texts: readonly string[] = [
  '{{ env "HOME" }}',
  '{{ expandenv "$PATH" }}',
  '{{ exec "id" }}',
  '{{ readFile "/etc/passwd" }}',
  "{{ .constructor }}",
  "{{ .__proto__.polluted }}",
  '{{ index . "constructor" }}',
  '{{ printf "%*d" 1000000000 1 }}',
  '{{ repeat 100000000 "a" }}',
  "{{ range $i := until 100000000 }}x{{ end }}",
  '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}',
  '{{ template "missing" }}',
  "{{ .Secrets",
  "{{ }}",
  "{{ end }}",
  "{{ if }}{{ end }}",
  "{{ $x := 1 }}{{ $x = $x.y.z }}",
  "{{ call .Secrets }}",
  '{{ genPrivateKey "rsa" }}',
  "{{ now }}",
  '{{ fail "boom" }}',
  "{{ toJson . }}",
  '{{ b64dec "%%%" }}',
  '{{ fromJson "{" }}',
  '{{ regexMatch "(" "x" }}',
  `{{ ${"(".repeat(2000)}1${")".repeat(2000)} }}`,
  "{{ .Secrets.value }}{{ .Secrets.value }}".repeat(10_000),
  "{{/* unterminated comment",
  '{{ htpasswd "u" "p" }}{{ bcrypt "x" }}',
];

export const templates: Idea = {
  name: "templates",
  apply(rng, candidate) {
    const text = rng.pick(texts);
    const key = rng.pick(["out", "../evil", "", "a".repeat(300), "spaces in key", "ключ"]);
    if (candidate.kind === "SecretTransformation") {
      if (rng.chance(0.3)) {
        candidate.spec.sourceTemplates = [{ name: "src", text }];
        candidate.spec.templates = { out: { text: '{{ template "src" . }}' } };
      } else {
        candidate.spec.templates = { [key]: { text } };
      }
    } else if (candidate.kind === "VaultConnection" || candidate.kind === "VaultAuth") {
      // No templates there: put the text where strings end up in requests.
      setPath(candidate.spec, candidate.kind === "VaultConnection" ? ["headers"] : ["params"], {
        [key || "k"]: text,
      });
    } else {
      setPath(candidate.spec, ["destination", "transformation", "templates"], { [key]: { text } });
    }
    return `template ${JSON.stringify(key.slice(0, 20))}: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…(${text.length})` : text)}`;
  },
};
