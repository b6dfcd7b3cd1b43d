// Templates the way VSO users write them: config files, connection strings, .env files,
// certificate bundles, shared {{define}} helpers from SecretTransformation sourceTemplates.
import type { ConformanceCase } from "../case.ts";
import { c } from "./data.ts";

const helpers = [
  {
    name: "helpers",
    text: '{{- define "connstr" -}}postgresql://{{ .username }}:{{ .password | urlquery }}@{{ .nested.host }}:{{ .port }}/app{{- end -}}\n{{- define "env" -}}{{- range $k, $v := . }}{{ $k | upper }}={{ $v }}\n{{ end -}}{{- end -}}',
  },
];

export const vsoCases: ConformanceCase[] = [
  c(
    "vso/env-file",
    "{{- range $k, $v := .Secrets }}{{ $k | snakecase | upper }}={{ $v | toString | quote }}\n{{ end -}}",
  ),
  c("vso/connection-string", '{{ template "connstr" .Secrets }}', { sources: helpers }),
  c("vso/env-define", '{{ template "env" (pick .Secrets "username" "port") }}', { sources: helpers }),
  c(
    "vso/config-yaml",
    "database:\n  host: {{ .Secrets.nested.host }}\n  port: {{ .Secrets.port }}\n  user: {{ .Secrets.username | quote }}\n  tags:\n{{- range .Secrets.tags }}\n    - {{ . }}\n{{- end }}\n  version: {{ .Metadata.version }}\n",
  ),
  c(
    "vso/json-config",
    '{{ dict "user" .Secrets.username "pass" .Secrets.password "port" (int .Secrets.port) | toJson }}',
  ),
  c("vso/pretty-json", "{{ toPrettyJson .Secrets.nested }}"),
  c("vso/b64-roundtrip", '{{ printf "%s:%s" .Secrets.username .Secrets.password | b64enc }}'),
  c("vso/annotations-labels", '{{ get .Annotations "team" | default "none" }}/{{ .Labels.app }}', {
    annotations: { team: "payments" },
    labels: { app: "checkout" },
  }),
  c(
    "vso/metadata",
    "v{{ .Metadata.version }} created {{ .Metadata.created_time }} owner {{ .Metadata.custom_metadata.owner }} destroyed={{ .Metadata.destroyed }}",
  ),
  c("vso/missing-metadata", "[{{ .Metadata.version }}]", { metadata: "{}" }),
  c(
    "vso/properties",
    '{{- range $k, $v := .Secrets.nested }}{{ if kindIs "string" $v }}{{ $k }}={{ $v }}\n{{ end }}{{ end -}}',
  ),
  c("vso/certificate-bundle", "{{- .Secrets.pem }}\n{{ .Secrets.pem | trim | nindent 2 }}"),
  c("vso/mutating-set", '{{ $_ := set .Secrets "injected" "x" }}{{ .Secrets.injected }} {{ len .Secrets }}'),
  c(
    "vso/numbers-as-strings",
    '{{ .Secrets.port }} {{ .Secrets.port | toString | printf "%s/tcp" }} {{ add .Secrets.port 1 }}',
  ),
  c(
    "vso/unicode-secret",
    '{{ .Secrets.unicode | b64enc }} {{ .Secrets.unicode | len }} {{ trunc 7 .Secrets.unicode | printf "%q" }}',
  ),
  c("vso/invalid-utf8", '{{ trunc 2 "é" | printf "%q" }} {{ trunc 2 "é" }} {{ substr 0 1 "日" | toJson }}'),
  c(
    "vso/whitespace-heavy",
    "{{- /* header */ -}}\n\n  {{- if .Secrets.enabled -}}\n    enabled\n  {{- else -}}\n    disabled\n  {{- end -}}\n\n",
  ),
  c("vso/htpasswd-line", "{{ htpasswd .Secrets.username .Secrets.password | len }}"),
  c(
    "vso/default-empty-secret",
    '{{ .Secrets.empty | default "fallback" }} {{ .Secrets.disabled | default "fb" }}',
  ),
  c("vso/kv1-like", "{{ .Secrets.key }}", { secrets: '{"key":"value","ttl":"768h"}' }),
  c("vso/dynamic-db-creds", '{{ printf "%s:%s" .Secrets.username .Secrets.password }}', {
    secrets: '{"username":"v-token-role-abc","password":"A1a-xyz","lease_duration":3600}',
  }),
  c(
    "vso/pki-like",
    "{{ .Secrets.certificate }}\n{{ range .Secrets.ca_chain }}{{ . }}\n{{ end }}{{ .Secrets.expiration }}",
    {
      secrets:
        '{"certificate":"CERT","ca_chain":["CA1","CA2"],"expiration":1735689600,"serial_number":"aa:bb"}',
    },
  ),
];
