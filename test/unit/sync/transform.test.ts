import assert from "node:assert/strict";
import { test } from "node:test";
import type { SecretTransformationSpec, Transformation } from "../../../src/api/index.ts";
import { parseJsonKeepingNumbers } from "../../../src/sync/go-json.ts";
import { SecretDataError } from "../../../src/sync/secret-data.ts";
import {
  renderSecretData,
  TransformationError,
  transformationFailureReason,
  transformationRefKeys,
  validateSecretTransformation,
} from "../../../src/sync/transform.ts";
import { TemplateError } from "../../../src/template/index.ts";

const text = (data: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString()]));

// A kv-v2 read: fields are .data.data, _raw is all of .data, .Metadata is .data.metadata.
const response = parseJsonKeepingNumbers(
  '{"data":{"username":"admin","password":"s3cret","port":5432},"metadata":{"version":3,"custom_metadata":{"team":"a"}}}',
) as { data: Record<string, never> };

function render(
  transformation: Transformation | undefined,
  more: Partial<Parameters<typeof renderSecretData>[0]> = {},
) {
  return text(
    renderSecretData({
      fields: response.data,
      raw: response as never,
      transformation,
      objectNamespace: "apps",
      objectName: "db",
      ...more,
    }),
  );
}

const raw =
  '{"data":{"password":"s3cret","port":5432,"username":"admin"},"metadata":{"custom_metadata":{"team":"a"},"version":3}}';

test("without a transformation: _raw plus every field, numbers as Go encodes them", () => {
  assert.deepEqual(render(undefined), { _raw: raw, username: "admin", password: "s3cret", port: "5432" });
});

test("inline templates see .Secrets, .Metadata, .Annotations and .Labels", () => {
  const out = render(
    {
      templates: {
        url: { text: "postgres://{{ .Secrets.username }}:{{ .Secrets.password }}@host:{{ .Secrets.port }}" },
        meta: {
          text: "v{{ .Metadata.version }} {{ .Metadata.custom_metadata.team }} {{ .Annotations.owner }} {{ .Labels.app }}",
        },
      },
    },
    { annotations: { owner: "ops" }, labels: { app: "web" } },
  );
  assert.equal(out.url, "postgres://admin:s3cret@host:5432");
  assert.equal(out.meta, "v3 a ops web");
  assert.equal(out._raw, raw);
  assert.equal(out.username, "admin");
});

test("raw fields never overwrite rendered keys; excludes apply first, then includes", () => {
  const out = render({
    templates: { password: { text: "rendered" } },
    excludes: ["^port$"],
    includes: ["^(password|port|username)$"],
  });
  assert.deepEqual(out, { _raw: raw, password: "rendered", username: "admin" });
  assert.deepEqual(render({ excludes: [".*"] }), { _raw: raw });
});

test("excludeRaw, and the global exclude-raw option that forces it", () => {
  assert.equal(render({ excludeRaw: true })._raw, undefined);
  assert.equal(render({}, { globalExcludeRaw: true })._raw, undefined);
  assert.equal(render(undefined, { globalExcludeRaw: true })._raw, undefined);
});

test("a field or a template named _raw is an error unless _raw is excluded", () => {
  const fields = { _raw: "x", a: "b" };
  assert.throws(
    () => renderSecretData({ fields, raw: fields, objectNamespace: "n", objectName: "o" }),
    SecretDataError,
  );
  assert.throws(() => render({ templates: { _raw: { text: "x" } } }), SecretDataError);
  assert.deepEqual(render({ templates: { _raw: { text: "x" } }, excludeRaw: true, excludes: [".*"] }), {
    _raw: "x",
  });
});

const shared: SecretTransformationSpec = {
  templates: {
    dsn: { text: '{{ template "creds" .Secrets }}@db' },
    env: { text: "USER={{ .Secrets.username }}" },
  },
  sourceTemplates: [
    { name: "helpers", text: '{{ define "creds" }}{{ .username }}:{{ .password }}{{ end }}' },
  ],
  excludes: ["password"],
  includes: ["^(username|password)$"],
};

const resolver =
  (specs: Record<string, SecretTransformationSpec>) => (key: { namespace: string; name: string }) =>
    specs[`${key.namespace}/${key.name}`] ??
    new Error(`SecretTransformation ${key.namespace}/${key.name} not found`);

test("a reference renders all of the SecretTransformation's templates, with its source templates and filters", () => {
  const out = render(
    { transformationRefs: [{ name: "shared" }] },
    { resolveTransformation: resolver({ "apps/shared": shared }) },
  );
  assert.deepEqual(out, { _raw: raw, dsn: "admin:s3cret@db", env: "USER=admin", username: "admin" });
});

test("templateRefs select templates and keyOverride renames the key; ignoreIncludes/ignoreExcludes", () => {
  const out = render(
    {
      transformationRefs: [
        {
          namespace: "platform",
          name: "shared",
          templateRefs: [{ name: "dsn", keyOverride: "DATABASE_URL" }],
          ignoreExcludes: true,
          ignoreIncludes: true,
        },
      ],
    },
    { resolveTransformation: resolver({ "platform/shared": shared }) },
  );
  assert.deepEqual(out, {
    _raw: raw,
    DATABASE_URL: "admin:s3cret@db",
    username: "admin",
    password: "s3cret",
    port: "5432",
  });
});

test("inline templates win over referenced ones for the same key", () => {
  const out = render(
    {
      templates: { env: { text: "inline" } },
      transformationRefs: [{ name: "shared", ignoreIncludes: true }],
    },
    { resolveTransformation: resolver({ "apps/shared": shared }) },
  );
  assert.equal(out.env, "inline");
  assert.equal(out.dsn, "admin:s3cret@db");
});

test("source templates are parsed first, so an inline template can call their definitions", () => {
  const out = render(
    {
      templates: { x: { text: '[{{ template "creds" .Secrets }}]' } },
      transformationRefs: [{ name: "shared", templateRefs: [{ name: "env" }] }],
    },
    { resolveTransformation: resolver({ "apps/shared": shared }) },
  );
  assert.equal(out.x, "[admin:s3cret]");
});

test("duplicate names, duplicate refs, missing templates and unresolvable refs are errors", () => {
  const resolve = resolver({ "apps/shared": shared });
  assert.throws(
    () => render({ templates: { a: { name: "same", text: "1" }, b: { name: "same", text: "2" } } }),
    TransformationError,
  );
  assert.throws(
    () =>
      render(
        { transformationRefs: [{ name: "shared" }, { name: "shared", namespace: "apps" }] },
        { resolveTransformation: resolve },
      ),
    /duplicate SecretTransformation ref apps\/shared/,
  );
  assert.throws(
    () =>
      render(
        { transformationRefs: [{ name: "shared", templateRefs: [{ name: "nope" }] }] },
        { resolveTransformation: resolve },
      ),
    /template "nope" not found/,
  );
  assert.throws(
    () => render({ transformationRefs: [{ name: "gone" }] }, { resolveTransformation: resolve }),
    /not found/,
  );
});

test("template errors are typed and do not carry secret values", () => {
  for (const text of [
    "{{ fail .Secrets.password }}",
    "{{ range .Secrets.password }}{{ end }}",
    "{{ .Secrets.password.x }}",
  ]) {
    assert.throws(
      () => render({ templates: { k: { text } } }),
      (e: unknown) =>
        e instanceof TemplateError && e.reason === "TransformationError" && !e.message.includes("s3cret"),
    );
  }
  assert.throws(
    () => render({ templates: { k: { text: "{{ .Secrets.username" } } }),
    /parse error: template: apps\/db\/k:1: unclosed action/,
  );
});

test("a template that changes .Secrets changes the raw fields, as in VSO", () => {
  const out = render({
    templates: { t: { text: '{{ $_ := set .Secrets "added" 7 }}{{ $_ := unset .Secrets "password" }}ok' } },
  });
  assert.equal(out.added, "7");
  assert.equal(out.password, undefined);
  assert.equal(out._raw, raw);
});

test("non-string fields are JSON-encoded like Go (sorted keys, HTML-safe escapes)", () => {
  const fields = parseJsonKeepingNumbers('{"obj":{"b":"<&>","a":[1.50,null,true]},"n":1e3}') as Record<
    string,
    never
  >;
  const out = text(
    renderSecretData({
      fields,
      raw: fields,
      objectNamespace: "n",
      objectName: "o",
      transformation: { excludeRaw: true },
    }),
  );
  assert.deepEqual(out, { obj: '{"a":[1.50,null,true],"b":"\\u003c\\u0026\\u003e"}', n: "1e3" });
});

test("transformationRefKeys defaults the namespace", () => {
  assert.deepEqual(
    transformationRefKeys({ transformationRefs: [{ name: "a" }, { name: "b", namespace: "x" }] }, "apps"),
    [
      { namespace: "apps", name: "a" },
      { namespace: "x", name: "b" },
    ],
  );
  assert.deepEqual(transformationRefKeys(undefined, "apps"), []);
});

test("validateSecretTransformation reports every parse error", () => {
  assert.deepEqual(validateSecretTransformation(shared, { namespace: "apps", name: "shared" }), {
    valid: true,
    error: "",
  });
  const bad = validateSecretTransformation(
    {
      templates: { a: { text: "{{ .x" }, b: { text: "{{ nosuch }}" } },
      sourceTemplates: [{ text: "{{ end }}" }],
    },
    { namespace: "apps", name: "bad" },
  );
  assert.equal(bad.valid, false);
  assert.equal(bad.error.split("\n").length, 3);
  assert.match(bad.error, /apps\/bad\/a:1: unclosed action/);
  assert.match(bad.error, /function "nosuch" not defined/);
});

test(".WrapData numbers are float64, as VSO re-decodes the wrap info without UseNumber", () => {
  const wrapData = parseJsonKeepingNumbers('{"token":"hvs.x","ttl":3600,"creation_time":"t"}') as Record<
    string,
    never
  >;
  const out = render(
    {
      templates: {
        w: {
          text: "{{ .WrapData.token }} {{ .WrapData.ttl }} {{ typeOf .WrapData.ttl }} {{ typeOf .Secrets.port }}",
        },
      },
    },
    { wrapData },
  );
  assert.equal(out.w, "hvs.x 3600 float64 json.Number");
});

test("failures map to VSO's event reasons", () => {
  const reasonOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return transformationFailureReason(e);
    }
    return "none";
  };
  assert.equal(
    reasonOf(() => render({ transformationRefs: [{ name: "missing" }] })),
    "TransformationError",
  );
  assert.equal(
    reasonOf(() => render({ templates: { k: { text: '{{ fail "x" }}' } } })),
    "SecretDataBuilderError",
  );
  assert.equal(
    reasonOf(() => render({ templates: { k: { text: "{{ .x" } } })),
    "SecretDataBuilderError",
  );
  assert.equal(
    reasonOf(() => render({ templates: { _raw: { text: "x" } } })),
    "SecretDataBuilderError",
  );
  assert.equal(transformationFailureReason(new Error("other")), undefined);
});
