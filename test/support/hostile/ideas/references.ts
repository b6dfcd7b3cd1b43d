// References and names used as paths: slashes, traversal, empty parts, URL syntax, query strings,
// names the apiserver would refuse for a Secret, and Vault paths that escape their mount. Each
// must resolve to nothing (a condition) — never to another namespace's object or another URL.

import type { Kind } from "../idea.ts";
import { describePath, type Idea, setPath } from "../idea.ts";

const refFields: Record<Kind, readonly (readonly string[])[]> = {
  VaultConnection: [
    ["caCertSecretRef"],
    ["clientCertSecretRef"],
    ["caCertPath"],
    ["address"],
    ["caCertConfigMapRef"],
  ],
  VaultAuth: [["vaultConnectionRef"], ["mount"], ["kubernetes", "serviceAccount"], ["namespace"]],
  VaultStaticSecret: [["vaultAuthRef"], ["mount"], ["path"], ["destination", "name"], ["namespace"]],
  VaultPKISecret: [["vaultAuthRef"], ["mount"], ["role"], ["destination", "name"], ["issuerRef"]],
  VaultDynamicSecret: [["vaultAuthRef"], ["mount"], ["path"], ["destination", "name"]],
  SecretTransformation: [["templates"]],
};

const refs: readonly string[] = [
  "a/b/c",
  "/",
  "ns/",
  "/name",
  "..",
  "../../kube-system/x",
  "kube-system/default",
  "default/../../secrets/x",
  "name?watch=true",
  "name#frag",
  "%2e%2e%2fetc",
  "http://169.254.169.254/latest/meta-data",
  "file:///etc/passwd",
  "UPPER_case",
  "-leading-dash",
  "a".repeat(300),
  "sys/seal",
  "../../sys/raw",
  "auth/token/create",
  "/etc/passwd",
  "/proc/self/environ",
];

export const references: Idea = {
  name: "references",
  apply(rng, candidate) {
    const path = rng.pick(refFields[candidate.kind]);
    const value = rng.pick(refs);
    setPath(candidate.spec, path, path[0] === "templates" ? { [value]: { text: "x" } } : value);
    return `${describePath(path)} = ${JSON.stringify(value.slice(0, 60))}`;
  },
};
