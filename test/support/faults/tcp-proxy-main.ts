// The TCP proxy of tcp-proxy.ts as its own process, so that the test process's work (listing and
// checking hundreds of objects) never stalls the bytes it forwards. Talks over stdin/stdout:
//   argv: <target host> <target port>   → prints "ready <port>"
//   "down\n" → stops listening, cuts every connection → prints "down <connections cut>"
//   "up\n"   → listens again on the same port          → prints "up"
import { createInterface } from "node:readline";
import { listenProxy } from "./tcp-proxy.ts";

const [host = "127.0.0.1", port = "0"] = process.argv.slice(2);
const proxy = await listenProxy({ host, port: Number(port) });
process.stdout.write(`ready ${proxy.port}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "down") {
    await proxy.down();
    process.stdout.write(`down ${proxy.connectionsCut}\n`);
  } else if (line === "up") {
    await proxy.up();
    process.stdout.write("up\n");
  }
}
await proxy.close();
