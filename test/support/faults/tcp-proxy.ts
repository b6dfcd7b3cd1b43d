// A loopback TCP proxy in front of a real server: fault injection at the transport, nothing in
// the protocol. While "down", the listening socket is closed and every open connection is
// destroyed, so a client sees exactly what it sees when the server process is not running:
// connection refused (ECONNREFUSED) for new connections, a reset for pooled ones. "up" listens on
// the same port again. The bytes in between are never read or changed.
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface TcpProxy {
  /** http://127.0.0.1:<port> — give this to the client instead of the server's address. */
  readonly url: string;
  readonly port: number;
  /** Whether it is accepting connections now. */
  readonly isUp: boolean;
  /** Connections refused while down (attempts that reached the closed port are not seen). */
  readonly connectionsCut: number;
  /** Stop listening and cut every open connection, both ways. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** The proxy in this process (tcp-proxy-main.ts runs it in its own). */
export async function listenProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let cut = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = tcpConnect(target.port, target.host);
        open.add(client);
        open.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const socket of open) {
      socket.destroy();
      cut++;
    }
    open.clear();
    await closed;
  };

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get isUp() {
      return server !== undefined;
    },
    get connectionsCut() {
      return cut;
    },
    down,
    up: async () => {
      if (server === undefined) await listen();
    },
    close: down,
  };
}

/**
 * The proxy in a child process of its own: the test process may be busy checking hundreds of
 * objects, and the forwarded traffic must not wait for it.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const child = spawn(
    process.execPath,
    [join(dirname(fileURLToPath(import.meta.url)), "tcp-proxy-main.ts"), target.host, String(target.port)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const replies: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else replies.push(line);
  });
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      const ready = replies.shift();
      if (ready !== undefined) return resolve(ready);
      waiting.push(resolve);
      child.once("exit", () => reject(new Error("the proxy process exited")));
    });
  const ready = await reply();
  const port = Number(ready.split(" ")[1]);
  let up = true;
  let cut = 0;
  const command = async (what: "down" | "up") => {
    child.stdin.write(`${what}\n`);
    const answer = await reply();
    if (what === "down") cut = Number(answer.split(" ")[1]);
    up = what === "up";
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get isUp() {
      return up;
    },
    get connectionsCut() {
      return cut;
    },
    down: () => command("down"),
    up: () => command("up"),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      child.kill("SIGTERM");
      await exited;
    },
  };
}
