// The crypto functions on VSO's list: digests, bcrypt, htpasswd, and buildCustomCert (which
// only validates a base64 PEM certificate and key and hands them back).
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { goBytes } from "../go-string.ts";
import { GoStruct, type GoValue } from "../values.ts";
import { bcryptHash, PasswordTooLong } from "./bcrypt.ts";
import { asString } from "./convert.ts";
import { base64Decode } from "./encoding.ts";

const digest = (alg: string, s: string) => createHash(alg).update(goBytes(s)).digest("hex");

export function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    a = (a + s.charCodeAt(i)) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function bcrypt(input: string): string {
  try {
    return bcryptHash(goBytes(input));
  } catch (e) {
    if (e instanceof PasswordTooLong) return `failed to encrypt string with bcrypt: ${e.message}`;
    throw e;
  }
}

interface PemBlock {
  type: string;
  der: Buffer;
  text: string;
}

/** encoding/pem.Decode: the first block, or undefined. */
function pemDecode(data: string): PemBlock | undefined {
  const m = /-----BEGIN ([^\r\n]*?)-----\r?\n([\s\S]*?)-----END \1-----/.exec(data);
  if (!m) return undefined;
  const body = (m[2] as string)
    .split(/\r?\n/)
    .filter((l) => !l.includes(":"))
    .join("")
    .replace(/\s+/g, "");
  const decoded = base64Decode(body);
  if (decoded.error) return undefined;
  return { type: m[1] as string, der: goBytes(decoded.data), text: m[0] };
}

function parsePrivateKey(pem: string): void {
  const block = pemDecode(pem);
  if (!block) throw new FuncError("error parsing private key: no PEM data in input");
  try {
    if (block.type === "PRIVATE KEY") {
      createPrivateKey({ key: block.der, format: "der", type: "pkcs8" });
      return;
    }
    if (!block.type.endsWith(" PRIVATE KEY")) throw new Error("no private key data");
    switch (block.type.slice(0, -12)) {
      case "RSA":
        createPrivateKey({ key: block.der, format: "der", type: "pkcs1" });
        return;
      case "EC":
        createPrivateKey({ key: block.der, format: "der", type: "sec1" });
        return;
      case "DSA":
        createPrivateKey({ key: block.text, format: "pem" });
        return;
      default:
        throw new Error("invalid private key type");
    }
  } catch {
    throw new FuncError("error parsing private key");
  }
}

export const certificateFields = [
  { name: "Cert", type: "string" },
  { name: "Key", type: "string" },
] as const;

function buildCustomCert(b64cert: string, b64key: string): GoValue {
  const cert = base64Decode(b64cert);
  if (cert.error) throw new FuncError("unable to decode base64 certificate");
  const key = base64Decode(b64key);
  if (key.error) throw new FuncError("unable to decode base64 private key");
  const block = pemDecode(cert.data);
  if (!block) throw new FuncError("unable to decode certificate");
  try {
    new X509Certificate(block.der);
  } catch {
    throw new FuncError("error parsing certificate");
  }
  parsePrivateKey(key.data);
  return new GoStruct(
    "sprig.certificate",
    false,
    certificateFields,
    new Map<string, GoValue>([
      ["Cert", cert.data],
      ["Key", key.data],
    ]),
  );
}

export const cryptoFunctions: Record<string, FuncSpec> = {
  sha1sum: spec(["string"], ([s]) => digest("sha1", asString(s))),
  sha256sum: spec(["string"], ([s]) => digest("sha256", asString(s))),
  sha512sum: spec(["string"], ([s]) => digest("sha512", asString(s))),
  adler32sum: spec(["string"], ([s]) => String(adler32(asString(s)))),
  bcrypt: spec(["string"], ([s]) => bcrypt(asString(s))),
  htpasswd: spec(["string", "string"], ([u, p]) => {
    const user = asString(u);
    if (user.includes(":")) return `invalid username: ${user}`;
    return `${user}:${bcrypt(asString(p))}`;
  }),
  buildCustomCert: spec(["string", "string"], ([c, k]) => buildCustomCert(asString(c), asString(k))),
};
