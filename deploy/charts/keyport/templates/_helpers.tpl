{{/* Names and labels. */}}
{{- define "keyport.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "keyport.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "keyport.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "keyport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.controller.extraLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "keyport.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keyport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end -}}

{{- define "keyport.serviceAccountName" -}}
{{- if .Values.controller.serviceAccount.create -}}
{{- default (printf "%s-controller-manager" (include "keyport.fullname" .)) .Values.controller.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.controller.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Namespace-scoped mode: the listed namespaces plus the release namespace, sorted, unique. */}}
{{- define "keyport.watchNamespaces" -}}
{{- if .Values.watchNamespaces -}}
{{- append .Values.watchNamespaces .Release.Namespace | uniq | sortAlpha | join "," -}}
{{- end -}}
{{- end -}}

{{/* The custom resources' API is served: false on a first install, before the CRDs exist. */}}
{{- define "keyport.crdsServed" -}}
{{- if .Capabilities.APIVersions.Has "secrets.hashicorp.com/v1beta1" -}}true{{- end -}}
{{- end -}}

{{/*
The namespaced permissions the operator uses, in every namespace it serves (read from src/:
docs/install.md "RBAC" lists each call site).
*/}}
{{- define "keyport.namespacedRules" -}}
# Custom resources: read and watch all; patch adds and removes finalizers.
- apiGroups: [secrets.hashicorp.com]
  resources: [vaultconnections, vaultauths, vaultstaticsecrets, vaultdynamicsecrets, vaultpkisecrets, secrettransformations]
  verbs: [get, list, watch, patch]
- apiGroups: [secrets.hashicorp.com]
  resources: [vaultauthglobals]
  verbs: [get, list, watch]
- apiGroups: [secrets.hashicorp.com]
  resources: [vaultconnections/status, vaultauths/status, vaultstaticsecrets/status, vaultdynamicsecrets/status, vaultpkisecrets/status, secrettransformations/status]
  verbs: [get, patch]
# Destination Secrets (watched by label), TLS and credential Secrets a VaultConnection or
# VaultAuth names, the HMAC key and the persisted client cache in the operator's namespace.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, update, delete]
# kubernetes and jwt auth: a TokenRequest for the consumer's ServiceAccount.
- apiGroups: [""]
  resources: [serviceaccounts]
  verbs: [get]
- apiGroups: [""]
  resources: [serviceaccounts/token]
  verbs: [create]
# VaultConnection.spec.caCertConfigMapRef.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
# rolloutRestartTargets: read (paused? rolled out?) and patch the pod template.
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, patch]
- apiGroups: [argoproj.io]
  resources: [rollouts]
  verbs: [get, patch]
{{- end -}}
