import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  errorsFromBody,
  failedBeforeSending,
  reasonForStatus,
  reasonForTransportError,
  VaultError,
} from "../../../src/vault/errors.ts";

describe("reason from an HTTP status", () => {
  for (const [status, errors, reason] of [
    [503, ["Vault is sealed"], "VaultSealed"],
    [503, ["standby node not active"], "ServerError"],
    [403, ["permission denied"], "PermissionDenied"],
    [403, ["invalid token"], "PermissionDenied"],
    [404, [], "NotFound"],
    [400, ["missing client token"], "InvalidRequest"],
    [429, ["request path kv/data/x: rate limit quota exceeded"], "RateLimited"],
    [500, ["internal error"], "ServerError"],
    [502, [], "ServerError"],
    [405, [], "UnexpectedResponse"],
    [307, [], "UnexpectedResponse"],
  ] as const) {
    test(`${status} ${errors.join(",") || "(no errors)"} is ${reason}`, () => {
      assert.equal(reasonForStatus(status, errors), reason);
    });
  }
});

describe("errors[] from a body", () => {
  test("takes strings from errors and unwraps Vault's multierror format", () => {
    assert.deepEqual(
      errorsFromBody({ errors: ["1 error occurred:\n\t* permission denied\n\n", 7, "plain"] }),
      ["permission denied", "plain"],
    );
  });

  test("tolerates bodies that are not Vault's", () => {
    assert.deepEqual(errorsFromBody(undefined), []);
    assert.deepEqual(errorsFromBody("<html>bad gateway</html>"), []);
    assert.deepEqual(errorsFromBody({ errors: "nope" }), []);
  });
});

function coded(code: string, message = code, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

describe("reason from a transport error", () => {
  for (const [error, reason] of [
    [coded("ECONNREFUSED"), "VaultUnreachable"],
    [coded("ENOTFOUND"), "VaultUnreachable"],
    [coded("UND_ERR_SOCKET", "other side closed"), "VaultUnreachable"],
    [coded("UND_ERR_CONNECT_TIMEOUT"), "Timeout"],
    [coded("UND_ERR_HEADERS_TIMEOUT"), "Timeout"],
    [
      Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" }),
      "Timeout",
    ],
    [coded("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "TLSError"],
    [coded("DEPTH_ZERO_SELF_SIGNED_CERT"), "TLSError"],
    [coded("ERR_TLS_CERT_ALTNAME_INVALID"), "TLSError"],
    [coded("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"), "TLSError"],
    [new TypeError("fetch failed", { cause: coded("SELF_SIGNED_CERT_IN_CHAIN") }), "TLSError"],
    [new Error("something odd"), "VaultUnreachable"],
  ] as const) {
    test(`${(error as { code?: string }).code ?? error.name}: ${reason}`, () => {
      assert.equal(reasonForTransportError(error), reason);
    });
  }

  test("only refusals before connecting count as never sent", () => {
    assert.equal(failedBeforeSending(coded("ECONNREFUSED")), true);
    assert.equal(
      failedBeforeSending(new Error("wrapped", { cause: coded("UND_ERR_CONNECT_TIMEOUT") })),
      true,
    );
    assert.equal(failedBeforeSending(coded("ECONNRESET")), false);
    assert.equal(failedBeforeSending(coded("UND_ERR_SOCKET")), false);
  });
});

describe("VaultError", () => {
  test("the message names method, path, status and Vault's errors", () => {
    const error = new VaultError({
      reason: "PermissionDenied",
      status: 403,
      errors: ["permission denied"],
      method: "GET",
      path: "kvv2/data/app",
    });
    assert.equal(error.message, "GET kvv2/data/app: HTTP 403: permission denied");
    assert.deepEqual(Object.keys(error.toJSON()).sort(), [
      "errors",
      "message",
      "method",
      "path",
      "reason",
      "status",
    ]);
  });
});
