// 8. Template rendering, in process: how many destination renders per second does one core do for
// a realistic VSO transformation (a JSON config, a dotenv file and a basic-auth string from one
// kv-v2 secret)? Each render parses and executes its templates, as every reconcile does.
import type { Transformation } from "../src/api/index.ts";
import type { GoJsonValue } from "../src/sync/go-json.ts";
import { renderSecretData } from "../src/sync/transform.ts";
import { round } from "./lib/stats.ts";

export interface TemplateResult {
  templatesPerRender: number;
  rendersPerSecond: number;
  templatesPerSecond: number;
  microsecondsPerRender: number;
  /** The same secret without a transformation (just `_raw` and the fields). */
  plainRendersPerSecond: number;
  seconds: number;
}

export const realisticTransformation: Transformation = {
  excludes: ["port"],
  templates: {
    "config.json": {
      text: `{{- $s := .Secrets -}}
{
  "database": {
    "url": {{ printf "postgresql://%s:%s@%s:%s/app?sslmode=require" $s.username ($s.password | urlquery) $s.host $s.port | toJson }},
    "user": {{ $s.username | toJson }},
    "passwordSha256": {{ $s.password | sha256sum | toJson }}
  },
  "version": {{ .Metadata.version }},
  "labels": {{ .Labels | toJson }}
}`,
    },
    "app.env": {
      text: `{{- range $k, $v := .Secrets }}{{ $k | upper | replace "-" "_" }}={{ $v | quote }}
{{ end }}`,
    },
    auth: { text: `{{ printf "%s:%s" .Secrets.username .Secrets.password | b64enc }}` },
  },
};

const fields: Record<string, GoJsonValue> = {
  username: "app-user",
  password: "s3cr3t/with+chars&more",
  host: "db.example.com",
  port: "5432",
  "api-key": "k-0123456789abcdef",
};
const raw: GoJsonValue = {
  data: fields,
  metadata: {
    created_time: "2025-01-01T00:00:00.000000000Z",
    custom_metadata: null,
    deletion_time: "",
    destroyed: false,
    version: 3,
  },
};

export function renderOnce(transformation: Transformation | undefined): Record<string, Uint8Array> {
  return renderSecretData({
    fields,
    raw,
    labels: { app: "web", tier: "backend" },
    annotations: {},
    transformation,
    objectNamespace: "bench",
    objectName: "app",
  });
}

function rate(fn: () => void, seconds: number): number {
  for (let i = 0; i < 300; i++) fn();
  let count = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) fn();
    count += 50;
  }
  return count / ((performance.now() - started) / 1000);
}

export function runTemplate(options: { seconds: number }): TemplateResult {
  const templatesPerRender = Object.keys(realisticTransformation.templates ?? {}).length;
  const renders = rate(() => renderOnce(realisticTransformation), options.seconds);
  const plain = rate(() => renderOnce(undefined), options.seconds / 2);
  return {
    templatesPerRender,
    rendersPerSecond: round(renders),
    templatesPerSecond: round(renders * templatesPerRender),
    microsecondsPerRender: round(1e6 / renders),
    plainRendersPerSecond: round(plain),
    seconds: options.seconds,
  };
}
