// /healthz, /readyz and /metrics on plain node:http. VSO serves probes on :8081 and metrics on
// :8080; an address given as ":port" binds all interfaces, "0" or "" disables the server.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface Probes {
  ready(): boolean;
}

export function parseBindAddress(address: string): { host: string | undefined; port: number } | undefined {
  if (address === "" || address === "0") return undefined;
  const colon = address.lastIndexOf(":");
  const host = colon <= 0 ? undefined : address.slice(0, colon).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid bind address ${address}`);
  return { host, port };
}

export async function serve(
  address: string,
  routes: { probes?: Probes; registry?: Registry },
): Promise<Server | undefined> {
  const bind = parseBindAddress(address);
  if (bind === undefined) return undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (routes.probes !== undefined && path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    } else if (routes.probes !== undefined && path === "/readyz") {
      const ready = routes.probes.ready();
      res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" }).end(ready ? "ok" : "not ready");
    } else if (routes.registry !== undefined && path === "/metrics") {
      routes.registry
        .metrics()
        .then((body) =>
          res.writeHead(200, { "content-type": routes.registry?.contentType ?? "text/plain" }).end(body),
        )
        .catch(() => res.writeHead(500).end());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  return server;
}
