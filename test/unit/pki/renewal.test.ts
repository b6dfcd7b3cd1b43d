// Renewal instants: VSO's expiryOffset rule with its jitter, Keyport's two-thirds default, and the
// facts read from a certificate for the status.
import "reflect-metadata";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { before, test } from "node:test";
import * as x509 from "@peculiar/x509";
import {
  CertificateParseError,
  certificateFacts,
  certificateLifetime,
  planRenewal,
  renewalPoint,
  vaultSerialNumber,
} from "../../../src/pki/renewal.ts";

const notBefore = 1_800_000_000;
const day = 86_400;
const lifetime = { notBefore, notAfter: notBefore + 30 * day };
const ms = (s: number) => s * 1000;
const half = () => 0.5;

before(() => {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
});

test("expiryOffset 0 (VSO): renew at expiry; the check comes up to 5 % early, then looks again", () => {
  const now = ms(notBefore + 10 * day);
  const plan = planRenewal(now, lifetime, { expiryOffsetMs: 0 }, half);
  const horizon = ms(20 * day);
  assert.equal(plan.renewAt, ms(lifetime.notAfter));
  assert.equal(plan.due, false);
  assert.equal(plan.requeueAfterMs, horizon - Math.floor(0.5 * 0.05 * horizon));
});

test("expiryOffset > 0 (VSO): renew at expiry − offset; the check comes up to 5 % late, inside the window", () => {
  const now = ms(notBefore + 10 * day);
  const plan = planRenewal(now, lifetime, { expiryOffsetMs: ms(day) }, half);
  const horizon = ms(19 * day);
  assert.equal(plan.renewAt, ms(lifetime.notAfter - day));
  assert.equal(plan.due, false);
  assert.equal(plan.requeueAfterMs, horizon + Math.floor(0.5 * 0.05 * horizon));
});

test("expiryOffset: due in the window and when less than a second away; whole seconds like VSO", () => {
  const offset = { expiryOffsetMs: ms(10) };
  assert.equal(planRenewal(ms(lifetime.notAfter - 10), lifetime, offset, half).due, true);
  assert.equal(planRenewal(ms(lifetime.notAfter - 10) - 999, lifetime, offset, half).due, true);
  assert.equal(planRenewal(ms(lifetime.notAfter - 10) - 1000, lifetime, offset, half).due, false);
  assert.equal(planRenewal(ms(lifetime.notAfter + 5), lifetime, offset, half).due, true);
  // 1.5 s counts as 1 s: VSO truncates the offset to whole seconds.
  assert.equal(renewalPoint(lifetime, { expiryOffsetMs: 1_500 }), ms(lifetime.notAfter - 1));
});

test("no expiryOffset (Keyport): two thirds through the lifetime, without a serial no jitter", () => {
  const point = ms(notBefore + 20 * day);
  assert.equal(renewalPoint(lifetime, {}), point);
  const plan = planRenewal(ms(notBefore), lifetime, {});
  assert.deepEqual(plan, { due: false, renewAt: point, requeueAfterMs: point - ms(notBefore) });
  assert.equal(planRenewal(point, lifetime, {}).due, true);
  assert.equal(planRenewal(point - 1_000, lifetime, {}).due, false);
});

test("renewBeforePercentage: renew when that share of the lifetime remains", () => {
  assert.equal(renewalPoint(lifetime, { renewBeforePercentage: 10 }), ms(notBefore + 27 * day));
  assert.equal(renewalPoint(lifetime, { renewBeforePercentage: 50 }), ms(notBefore + 15 * day));
});

test("Keyport jitter: up to 5 % earlier, fixed per serial whatever the time of asking", () => {
  const point = ms(notBefore + 20 * day);
  const withSerial = { ...lifetime, serialNumber: "3a:0f:11" };
  const early = planRenewal(ms(notBefore), withSerial, {});
  const later = planRenewal(ms(notBefore + 15 * day), withSerial, {});
  assert.equal(early.renewAt, later.renewAt);
  assert.ok(early.renewAt <= point && early.renewAt >= point - 0.05 * ms(20 * day));
  assert.equal(later.requeueAfterMs, later.renewAt - ms(notBefore + 15 * day));
  const spread = new Set(
    Array.from(
      { length: 20 },
      (_, i) => planRenewal(0, { ...lifetime, serialNumber: `serial-${i}` }, {}).renewAt,
    ),
  );
  assert.ok(spread.size > 1, "different certificates renew at different instants");
});

test("Vault's serial form: lowercase pairs with colons, no leading zero bytes", () => {
  assert.equal(vaultSerialNumber("0A1B2C"), "0a:1b:2c");
  assert.equal(vaultSerialNumber("A1B2C"), "0a:1b:2c");
  assert.equal(vaultSerialNumber("00FF01"), "ff:01");
  assert.equal(vaultSerialNumber("00"), "00");
});

test("certificateFacts: serial, notBefore and expiration from PEM, pem_bundle or base64 DER", async () => {
  const keys = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "00ff01",
    name: "CN=renewal.example.com",
    notBefore: new Date(ms(notBefore)),
    notAfter: new Date(ms(lifetime.notAfter)),
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  const pem = cert.toString("pem");
  const expected = { serialNumber: "ff:01", notBefore, expiration: lifetime.notAfter };
  for (const form of [
    pem,
    `-----BEGIN RSA PRIVATE KEY-----\nAA==\n-----END RSA PRIVATE KEY-----\n${pem}`,
    cert.toString("base64"),
  ]) {
    const facts = certificateFacts(form);
    assert.deepEqual(
      { serialNumber: facts.serialNumber, notBefore: facts.notBefore, expiration: facts.expiration },
      expected,
    );
  }
  assert.deepEqual(certificateLifetime(Buffer.from(pem)), { ...lifetime, serialNumber: "ff:01" });
  assert.throws(() => certificateFacts("garbage"), CertificateParseError);
});
