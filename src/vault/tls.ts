// Per-connection TLS for Vault: the CA bundle a VaultConnection trusts, an optional client
// certificate for mTLS, SNI and skip-verify, turned into one undici Agent. The Agent owns the
// sockets, so replacing TLS material means building a new Agent (see VaultHttp.updateTls).
import { X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import { createSecureContext } from "node:tls";
import { Agent, buildConnector } from "undici";
import { VaultError } from "./errors.ts";

export interface VaultTlsOptions {
  /** PEM bundle of CAs to trust instead of the system store (VaultConnection caCertSecretRef / caCertPath). */
  caCert?: string | undefined;
  /** PEM client certificate (chain) presented for mTLS. */
  clientCert?: string | undefined;
  /** PEM private key of clientCert. */
  clientKey?: string | undefined;
  /** SNI and the name the server certificate must match (VaultConnection tlsServerName). */
  serverName?: string | undefined;
  /** Accept any server certificate (VaultConnection skipTLSVerify). */
  skipVerify?: boolean | undefined;
}

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Throws InvalidConfiguration when the material cannot work, so a VaultConnection reports a bad
 * CA or a mismatched key pair at once instead of as a handshake failure on the first request.
 */
export function validateTls(tls: VaultTlsOptions): void {
  if (tls.caCert !== undefined && !tls.skipVerify) {
    const blocks = tls.caCert.match(pemCertificate) ?? [];
    if (blocks.length === 0) throw configError("the CA certificate is not PEM");
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch (cause) {
        throw configError("the CA bundle holds a certificate that does not parse", cause);
      }
    }
  }
  if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
    throw configError("a client certificate needs both the certificate and its key");
  }
  if (tls.clientCert !== undefined && tls.clientKey !== undefined) {
    try {
      // Fails on unparsable PEM and on a key that does not belong to the certificate.
      createSecureContext({ cert: tls.clientCert, key: tls.clientKey });
    } catch (cause) {
      throw configError("the client certificate and key do not form a usable pair", cause);
    }
  }
}

function configError(message: string, cause?: unknown): VaultError {
  // The cause names only OpenSSL's complaint, never the key material.
  return new VaultError({ reason: "InvalidConfiguration", message, cause });
}

export interface AgentOptions {
  /** Connect timeout in milliseconds. */
  connectTimeoutMs: number;
}

/** An undici Agent plus what it saw of TLS failures the Agent itself does not report. */
export interface TlsAgent {
  dispatcher: Agent;
  /**
   * The TLS alert behind a request error, if there was one. With TLS 1.3 the server checks the
   * client certificate after the client considers the handshake done; it then sends an alert
   * (certificate required, unknown CA) and closes. undici reports only "other side closed", so
   * the connector records alerts per local port and the transport asks here.
   */
  tlsAlertFor(error: unknown): string | undefined;
  close(): Promise<void>;
}

const tlsErrorCode = /^(ERR_SSL_|ERR_TLS_|ERR_OSSL_)/;
const maxRememberedAlerts = 256;

export function createAgent(tls: VaultTlsOptions, options: AgentOptions): TlsAgent {
  validateTls(tls);
  const connector = buildConnector({
    timeout: options.connectTimeoutMs,
    // Vault speaks HTTP/1.1 everywhere; HTTP/2 would add a second code path for nothing.
    allowH2: false,
    rejectUnauthorized: tls.skipVerify !== true,
    ...(tls.caCert === undefined ? {} : { ca: tls.caCert }),
    ...(tls.clientCert === undefined ? {} : { cert: tls.clientCert }),
    ...(tls.clientKey === undefined ? {} : { key: tls.clientKey }),
  });
  const serverName = tls.serverName === "" ? undefined : tls.serverName;
  const alerts = new Map<number, string>();
  const dispatcher = new Agent({
    connect: (opts, callback) =>
      // undici gives the URL's host name priority over a configured servername; tlsServerName
      // must win, as Go's tls.Config.ServerName does, so it is set per connection.
      connector(serverName === undefined ? opts : { ...opts, servername: serverName }, (error, socket) => {
        if (socket && socket.localPort !== undefined) {
          const port = socket.localPort;
          alerts.delete(port);
          socket.on("error", (e: NodeJS.ErrnoException) => {
            if (typeof e.code !== "string" || !tlsErrorCode.test(e.code)) return;
            alerts.set(port, e.code);
            if (alerts.size > maxRememberedAlerts) alerts.delete(alerts.keys().next().value as number);
          });
        }
        // undici's callback type pairs (error, null) and (null, socket); pass through as given.
        (callback as (error: Error | null, socket: Socket | null | undefined) => void)(error, socket);
      }),
  });
  return {
    dispatcher,
    tlsAlertFor(error) {
      const port = (error as { socket?: { localPort?: unknown } } | undefined)?.socket?.localPort;
      return typeof port === "number" ? alerts.get(port) : undefined;
    },
    close: () => dispatcher.close(),
  };
}
