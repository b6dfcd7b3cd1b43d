import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { load } from "js-yaml";
import {
  allKinds,
  buildCrd,
  type JsonSchemaProps,
  openApiSchemaOf,
  renderCrdsYaml,
  renderCrdYaml,
  structuralViolations,
} from "../../../src/api/index.ts";

/** The schema node at a dotted path below spec or status, e.g. `spec.destination.create`. */
function nodeAt(kindName: string, path: string): JsonSchemaProps {
  const kind = allKinds.find((k) => k.kind === kindName);
  assert.ok(kind, kindName);
  let node: JsonSchemaProps | undefined = openApiSchemaOf(kind);
  for (const segment of path.split(".")) {
    node =
      segment === "*"
        ? node?.additionalProperties
        : segment === "[]"
          ? node?.items
          : node?.properties?.[segment];
    assert.ok(node, `${kindName} ${path}: no ${segment}`);
  }
  return node;
}

function walk(node: JsonSchemaProps, visit: (node: JsonSchemaProps, path: string) => void, path = ""): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, visit, `${path}.${name}`);
  if (node.additionalProperties) walk(node.additionalProperties, visit, `${path}.*`);
  if (node.items) walk(node.items, visit, `${path}[]`);
}

describe("every CRD", () => {
  for (const kind of allKinds) {
    test(`${kind.kind}: names, scope, one served storage version, status subresource`, () => {
      const crd = buildCrd(kind);
      assert.equal(crd.metadata.name, `${kind.plural}.secrets.hashicorp.com`);
      assert.equal(crd.spec.group, "secrets.hashicorp.com");
      assert.deepEqual(crd.spec.names, {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: `${kind.kind.toLowerCase()}s`,
        singular: kind.kind.toLowerCase(),
      });
      assert.equal(crd.spec.scope, "Namespaced");
      assert.equal(crd.spec.versions.length, 1);
      const [version] = crd.spec.versions;
      assert.ok(version);
      assert.equal(version.name, "v1beta1");
      assert.equal(version.served, true);
      assert.equal(version.storage, true);
      assert.deepEqual(version.subresources, { status: {} });
    });

    test(`${kind.kind}: the schema is structural`, () => {
      assert.deepEqual(structuralViolations(openApiSchemaOf(kind)), []);
    });

    test(`${kind.kind}: no combinators, refs or nullable anywhere; every CEL rule has a message`, () => {
      const text = JSON.stringify(openApiSchemaOf(kind));
      for (const word of ["$ref", "anyOf", "oneOf", "allOf", '"not"', "nullable", "$schema", "x-keyport"]) {
        assert.equal(text.includes(word), false, word);
      }
      walk(openApiSchemaOf(kind), (node, path) => {
        for (const rule of node["x-kubernetes-validations"] ?? []) {
          assert.ok(rule.rule.length > 0 && rule.message.length > 0, path);
        }
        if (node.type === "integer") {
          assert.notEqual(node.maximum, Number.MAX_SAFE_INTEGER, `${path}: JavaScript bound leaked`);
        }
      });
    });
  }
});

describe("matches VSO v1.4.1", () => {
  test("printer columns", () => {
    const columns = (name: string) =>
      buildCrd(allKinds.find((k) => k.kind === name) ?? assert.fail(name)).spec.versions[0]
        ?.additionalPrinterColumns;
    const condition = (type: string) => `.status.conditions[?(@.type == "${type}")].status`;
    const healthReady = [
      { name: "Healthy", type: "string", jsonPath: condition("Healthy") },
      { name: "Ready", type: "string", jsonPath: condition("Ready") },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ];
    for (const kind of ["VaultConnection", "VaultAuth", "SecretTransformation"]) {
      assert.deepEqual(columns(kind), healthReady, kind);
    }
    const synced = { name: "Synced", type: "string", jsonPath: condition("SecretSynced") };
    // Keyport adds one column to VaultPKISecret (the expiry), before Age.
    assert.deepEqual(columns("VaultPKISecret"), [
      synced,
      ...healthReady.slice(0, 2),
      { name: "Expires", type: "string", jsonPath: ".status.notAfter" },
      healthReady[2],
    ]);
    for (const kind of ["VaultStaticSecret", "VaultDynamicSecret"]) {
      assert.deepEqual(columns(kind), [synced, ...healthReady], kind);
    }
    assert.equal(columns("VaultAuthGlobal"), undefined);
  });

  test("required spec fields", () => {
    const expected: Record<string, string[] | undefined> = {
      VaultConnection: ["address", "skipTLSVerify"],
      VaultAuth: undefined,
      VaultAuthGlobal: undefined,
      VaultStaticSecret: ["destination", "mount", "path", "type"],
      VaultDynamicSecret: ["destination", "mount", "path"],
      VaultPKISecret: ["destination", "mount", "role"],
      SecretTransformation: undefined,
    };
    for (const [kind, required] of Object.entries(expected)) {
      assert.deepEqual(nodeAt(kind, "spec").required, required, kind);
    }
    assert.deepEqual(nodeAt("VaultStaticSecret", "spec.destination").required, ["name"]);
    assert.deepEqual(nodeAt("VaultAuth", "spec.storageEncryption").required, ["keyName", "mount"]);
    assert.deepEqual(nodeAt("VaultStaticSecret", "spec.rolloutRestartTargets.[]").required, ["kind", "name"]);
    assert.deepEqual(
      nodeAt("VaultStaticSecret", "spec.destination.transformation.transformationRefs.[]").required,
      ["name"],
    );
    assert.deepEqual(nodeAt("SecretTransformation", "spec.templates.*").required, ["text"]);
  });

  test("required status fields", () => {
    const expected: Record<string, string[] | undefined> = {
      VaultConnection: ["valid"],
      VaultAuth: undefined,
      VaultAuthGlobal: ["error", "valid"],
      VaultStaticSecret: ["lastGeneration"],
      VaultDynamicSecret: ["lastGeneration", "lastRenewalTime", "secretLease"],
      VaultPKISecret: ["error", "lastGeneration", "lastRotation", "valid"],
      SecretTransformation: ["error", "valid"],
    };
    for (const [kind, required] of Object.entries(expected)) {
      assert.deepEqual(nodeAt(kind, "status").required, required, kind);
    }
    assert.deepEqual(nodeAt("VaultDynamicSecret", "status.secretLease").required, [
      "duration",
      "id",
      "renewable",
      "requestID",
    ]);
    assert.deepEqual(nodeAt("VaultDynamicSecret", "status.staticCredsMetaData").required, [
      "lastVaultRotation",
      "rotationPeriod",
      "ttl",
    ]);
  });

  test("defaults are emitted where VSO has them, and nowhere else", () => {
    const defaults: string[] = [];
    for (const kind of allKinds) {
      walk(openApiSchemaOf(kind), (node, path) => {
        if (node.default !== undefined) defaults.push(`${kind.kind}${path}=${JSON.stringify(node.default)}`);
      });
    }
    const destination = (kind: string) => [
      `${kind}.spec.destination.create=false`,
      `${kind}.spec.destination.overwrite=false`,
    ];
    const tokenExpiration = (kind: string) => [
      `${kind}.spec.jwt.tokenExpirationSeconds=600`,
      `${kind}.spec.kubernetes.tokenExpirationSeconds=600`,
    ];
    assert.deepEqual(
      defaults.sort(),
      [
        "VaultConnection.spec.skipTLSVerify=false",
        ...tokenExpiration("VaultAuth"),
        ...tokenExpiration("VaultAuthGlobal"),
        ...destination("VaultStaticSecret"),
        "VaultStaticSecret.spec.hmacSecretData=true",
        ...destination("VaultDynamicSecret"),
        "VaultDynamicSecret.spec.renewalPercent=67",
        ...destination("VaultPKISecret"),
        // Keyport extension
        'VaultPKISecret.spec.privateKey.algorithm="RSA"',
        'VaultPKISecret.spec.privateKey.rotationPolicy="Always"',
      ].sort(),
    );
  });

  test("duration patterns, enums, bounds and int64 formats", () => {
    const duration = "^([0-9]+(\\.[0-9]+)?(s|m|h))$";
    assert.equal(nodeAt("VaultConnection", "spec.timeout").pattern, duration);
    assert.equal(nodeAt("VaultStaticSecret", "spec.refreshAfter").pattern, duration);
    assert.equal(nodeAt("VaultDynamicSecret", "spec.refreshAfter").pattern, duration);
    assert.equal(nodeAt("VaultPKISecret", "spec.expiryOffset").pattern, duration);
    assert.equal(nodeAt("VaultPKISecret", "spec.ttl").pattern, "^([0-9]+(\\.[0-9]+)?(s|m|h|d))$");
    assert.deepEqual(nodeAt("VaultStaticSecret", "spec.type").enum, ["kv-v1", "kv-v2"]);
    assert.deepEqual(nodeAt("VaultDynamicSecret", "spec.requestHTTPMethod").enum, ["GET", "POST", "PUT"]);
    assert.deepEqual(nodeAt("VaultStaticSecret", "spec.rolloutRestartTargets.[].kind").enum, [
      "Deployment",
      "DaemonSet",
      "StatefulSet",
      "argo.Rollout",
    ]);
    assert.deepEqual(nodeAt("VaultAuth", "spec.vaultAuthGlobalRef.mergeStrategy.headers").enum, [
      "union",
      "replace",
      "none",
    ]);
    assert.equal(nodeAt("VaultAuth", "spec.vaultAuthGlobalRef.mergeStrategy.headers").default, undefined);
    assert.equal(nodeAt("VaultAuth", "spec.vaultAuthGlobalRef.name").pattern, "^([a-z0-9.-]{1,253})$");
    assert.equal(nodeAt("VaultAuth", "spec.vaultAuthGlobalRef.namespace").pattern, "^([a-z0-9-]{1,63})$");
    const version = nodeAt("VaultStaticSecret", "spec.version");
    assert.deepEqual(
      [version.type, version.minimum, version.maximum, version.format],
      ["integer", 0, undefined, undefined],
    );
    const percent = nodeAt("VaultDynamicSecret", "spec.renewalPercent");
    assert.deepEqual([percent.minimum, percent.maximum, percent.format], [0, 90, undefined]);
    const expiration = nodeAt("VaultAuth", "spec.kubernetes.tokenExpirationSeconds");
    assert.deepEqual([expiration.minimum, expiration.format], [600, "int64"]);
    assert.equal(nodeAt("VaultStaticSecret", "status.lastGeneration").format, "int64");
    assert.equal(nodeAt("VaultDynamicSecret", "status.secretLease.duration").format, undefined);
    assert.equal(nodeAt("VaultPKISecret", "status.expiration").format, "int64");
  });

  test("maps are additionalProperties of strings; conditions are metav1.Condition", () => {
    assert.deepEqual(nodeAt("VaultConnection", "spec.headers.*"), { type: "string" });
    assert.deepEqual(nodeAt("VaultDynamicSecret", "spec.params.*"), { type: "string" });
    assert.deepEqual(nodeAt("VaultStaticSecret", "spec.destination.labels.*"), { type: "string" });
    const condition = nodeAt("VaultPKISecret", "status.conditions.[]");
    assert.deepEqual(condition.required, ["lastTransitionTime", "message", "reason", "status", "type"]);
    assert.deepEqual(condition.properties?.status?.enum, ["True", "False", "Unknown"]);
    assert.equal(condition.properties?.type?.maxLength, 316);
    assert.equal(condition.properties?.lastTransitionTime?.format, "date-time");
  });
});

describe("Keyport extensions are new optional fields", () => {
  const extensions: [string, string][] = [
    ["VaultConnection", "spec.clientCertSecretRef"],
    ["VaultConnection", "spec.caCertConfigMapRef"],
    ["VaultAuth", "spec.token.secretRef"],
    ["VaultAuthGlobal", "spec.token.secretRef"],
    ["VaultAuthGlobal", "spec.token.mount"],
    ["VaultPKISecret", "spec.renewBeforePercentage"],
    ["VaultPKISecret", "status.notAfter"],
    ["VaultPKISecret", "status.renewAt"],
    ["VaultPKISecret", "spec.privateKey.algorithm"],
    ["VaultPKISecret", "spec.privateKey.size"],
    ["VaultPKISecret", "spec.privateKey.encoding"],
    ["VaultPKISecret", "spec.privateKey.rotationPolicy"],
    ["VaultPKISecret", "spec.keystores"],
    ["VaultPKISecret", "spec.keystores.pkcs12"],
    ["VaultPKISecret", "spec.chainLayout"],
    ["VaultDynamicSecret", "status.supersededLeases"],
  ];
  for (const [kind, path] of extensions) {
    test(`${kind} ${path}`, () => {
      const segments = path.split(".");
      const parent = nodeAt(kind, segments.slice(0, -1).join("."));
      const node = nodeAt(kind, path);
      assert.ok(node.type);
      assert.notEqual(parent.required?.includes(segments.at(-1) ?? ""), true, "optional");
      assert.ok(
        [node.description, parent.description].some((text) => text?.startsWith("Keyport extension")),
        "kubectl explain says it is an extension",
      );
    });
  }

  test("token joins the method enums", () => {
    assert.deepEqual(nodeAt("VaultAuth", "spec.method").enum?.at(-1), "token");
    assert.deepEqual(nodeAt("VaultAuthGlobal", "spec.defaultAuthMethod").enum?.at(-1), "token");
  });
});

describe("structuralViolations finds what Kubernetes refuses", () => {
  test("missing types, combinators, refs, false additionalProperties, empty objects", () => {
    const problems = structuralViolations({
      type: "object",
      properties: {
        noType: { description: "x" },
        union: { type: "string", anyOf: [{ type: "string" }] } as JsonSchemaProps,
        ref: { $ref: "#/defs/x" } as JsonSchemaProps,
        closed: {
          type: "object",
          properties: { a: { type: "string" } },
          additionalProperties: false,
        } as never,
        empty: { type: "object" },
        list: { type: "array" },
        nullable: { type: "string", nullable: true } as JsonSchemaProps,
      },
      required: ["missing"],
    });
    const text = problems.join("\n");
    for (const expected of [
      ".properties.noType: missing or unknown type",
      ".properties.union: keyword anyOf is not allowed",
      ".properties.ref: keyword $ref is not allowed",
      ".properties.closed: properties and additionalProperties together",
      ".properties.empty: object without properties or additionalProperties",
      ".properties.list: array without items",
      ".properties.nullable: keyword nullable is not allowed",
      "<root>: required field missing is not a property",
    ]) {
      assert.ok(text.includes(expected), `${expected} in:\n${text}`);
    }
  });
});

describe("YAML", () => {
  test("is deterministic and one document per kind, each a CRD", () => {
    const first = renderCrdsYaml();
    assert.equal(renderCrdsYaml(), first);
    const documents = first.split(/^---\n/m).filter((doc) => doc.trim() !== "");
    assert.equal(documents.length, allKinds.length);
    for (const [index, kind] of allKinds.entries()) {
      assert.equal(`---\n${documents[index]}`, renderCrdYaml(kind));
      assert.deepEqual(load(documents[index] ?? ""), buildCrd(kind));
    }
  });

  test("condition status values stay strings (YAML 1.1 readers would make True a boolean)", () => {
    assert.ok(renderCrdsYaml().includes('- "True"'));
  });
});
