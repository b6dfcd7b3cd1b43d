// A recording pass-through in front of the real Vault: a VaultConnection pointed at it talks to
// the real server, and the test can see what was sent (login headers and bodies), which Vault
// itself does not report back. Nothing is answered here: every request is forwarded as is.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

export interface TappedRequest {
  method: string;
  /** The request path without the query, e.g. /v1/auth/kubernetes/login. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, if there was one. */
  body: Record<string, unknown> | undefined;
}

export interface VaultTap {
  /** http://127.0.0.1:<port>: use as a VaultConnection address. */
  address: string;
  requests: TappedRequest[];
  close(): Promise<void>;
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

export async function startVaultTap(upstream: string): Promise<VaultTap> {
  const requests: TappedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      let body: Record<string, unknown> | undefined;
      try {
        body = raw.length === 0 ? undefined : (JSON.parse(raw.toString("utf8")) as Record<string, unknown>);
      } catch {
        body = undefined;
      }
      const url = req.url ?? "/";
      requests.push({
        method: req.method ?? "GET",
        path: url.split("?")[0] ?? url,
        headers: req.headers,
        body,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !hopByHop.has(name)) headers[name] = String(value);
      }
      request(`${upstream}${url}`, {
        method: (req.method ?? "GET") as "GET",
        headers,
        ...(raw.length === 0 ? {} : { body: raw }),
      })
        .then(async (upstreamRes) => {
          const payload = Buffer.from(await upstreamRes.body.arrayBuffer());
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(upstreamRes.headers)) {
            if (value !== undefined && !hopByHop.has(name)) out[name] = String(value);
          }
          res.writeHead(upstreamRes.statusCode, { ...out, "content-length": String(payload.length) });
          res.end(payload);
        })
        .catch((error: unknown) => {
          res.writeHead(502);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
