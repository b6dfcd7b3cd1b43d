// Plain HTTP(S) JSON calls for setting the servers up. The operator has its own clients in src/;
// testenv must not depend on the code it tests.
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

const agents = new Map<string, Agent>();

export function agentFor(tls: TlsFiles): Agent {
  const key = JSON.stringify(tls);
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new Agent({
      connect: {
        ...(tls.ca === undefined ? {} : { ca: readFileSync(tls.ca) }),
        ...(tls.cert === undefined ? {} : { cert: readFileSync(tls.cert) }),
        ...(tls.key === undefined ? {} : { key: readFileSync(tls.key) }),
      },
    });
    agents.set(key, agent);
  }
  return agent;
}

export async function closeAgents(): Promise<void> {
  await Promise.all([...agents.values()].map((agent) => agent.close()));
  agents.clear();
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

export async function callJson(
  method: "GET" | "POST" | "PUT" | "DELETE" | "LIST",
  url: string,
  options: { tls?: TlsFiles; headers?: Record<string, string>; body?: unknown } = {},
): Promise<JsonResponse> {
  const response = await request(url, {
    method: method === "LIST" ? "GET" : method,
    ...(options.tls === undefined ? {} : { dispatcher: agentFor(options.tls) }),
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(method === "LIST" ? { "x-vault-list": "true" } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.body.text();
  let body: unknown = text;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a health probe's "ok"): keep the text.
  }
  return { status: response.statusCode, body };
}
