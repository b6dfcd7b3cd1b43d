{{/*
A VaultAuth spec's method block from VSO-shaped chart values (defaultAuthMethod,
clientCache.storageEncryption). Arguments: dict "v" <values> "defaultSA" <service account>.
*/}}
{{- define "keyport.authMethodSpec" -}}
{{- $v := .v -}}
method: {{ $v.method }}
mount: {{ $v.mount }}
{{- with $v.namespace }}
namespace: {{ . }}
{{- end }}
{{- with $v.params }}
params:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.headers }}
headers:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if eq $v.method "kubernetes" }}
kubernetes:
  role: {{ $v.kubernetes.role | quote }}
  serviceAccount: {{ default .defaultSA $v.kubernetes.serviceAccount }}
  {{- with $v.kubernetes.tokenAudiences }}
  audiences:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else if eq $v.method "jwt" }}
jwt:
  role: {{ $v.jwt.role | quote }}
  {{- with $v.jwt.secretRef }}
  secretRef: {{ . }}
  {{- end }}
  {{- with (default .defaultSA $v.jwt.serviceAccount) }}
  serviceAccount: {{ . }}
  {{- end }}
  {{- with $v.jwt.tokenAudiences }}
  audiences:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else if eq $v.method "appRole" }}
appRole:
  roleId: {{ $v.appRole.roleId | quote }}
  secretRef: {{ $v.appRole.secretRef }}
{{- else if and (eq $v.method "aws") $v.aws }}
aws:
  {{- range $k, $val := $v.aws }}
  {{- if $val }}
  {{ $k }}: {{ $val | quote }}
  {{- end }}
  {{- end }}
{{- else if and (eq $v.method "gcp") $v.gcp }}
gcp:
  {{- range $k, $val := $v.gcp }}
  {{- if $val }}
  {{ $k }}: {{ $val | quote }}
  {{- end }}
  {{- end }}
{{- end }}
{{- end -}}
