// `keyport status` (and `kubectl keyport status`): every object Keyport manages, in one table or
// as JSON. Exit status: 0 when nothing is failing, 1 when something is, 2 when the cluster could
// not be read or the arguments are wrong — so it can gate a script or a CI step.
import { parseArgs } from "node:util";
import { KubeApiError } from "../../kube/errors.ts";
import { fetchObjects, statusClient } from "./fetch.ts";
import { renderJson } from "./json.ts";
import { type StatusKind, statusKinds, statusRows } from "./rows.ts";
import { renderTable } from "./table.ts";

export const statusUsage = `usage: keyport status [flags]      (also: kubectl keyport status [flags])

Lists every Keyport resource: kind, namespace/name, synced, last sync, next refresh,
certificate notAfter or lease expiry, and the last error. Exits 1 when anything is failing.

flags:
  -A, --all-namespaces    all namespaces (the default)
  -n, --namespace NS      only this namespace
  -o, --output FORMAT     table (default), wide (absolute times, full errors) or json
      --kind KIND[,KIND]  only these kinds (${statusKinds.join(", ")})
      --kubeconfig FILE   kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)
      --context NAME      kubeconfig context
  -h, --help
`;

export interface StatusIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now?: () => number;
}

const processIo: StatusIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function kindsFrom(value: string | undefined): StatusKind[] {
  if (value === undefined || value === "") return [...statusKinds];
  const wanted = value.split(",").map((k) => k.trim().toLowerCase());
  const kinds: StatusKind[] = [];
  for (const name of wanted) {
    const kind = statusKinds.find((k) => k.toLowerCase() === name || `${k.toLowerCase()}s` === name);
    if (kind === undefined) throw new Error(`unknown kind ${JSON.stringify(name)}`);
    kinds.push(kind);
  }
  return kinds;
}

export async function runStatus(args: readonly string[], io: StatusIo = processIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        "all-namespaces": { type: "boolean", short: "A" },
        namespace: { type: "string", short: "n" },
        output: { type: "string", short: "o", default: "table" },
        kind: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    io.stderr(`keyport status: ${(error as Error).message}\n\n${statusUsage}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(statusUsage);
    return 0;
  }
  const output = String(values.output);
  if (!["table", "wide", "json"].includes(output)) {
    io.stderr(`keyport status: unknown output format ${JSON.stringify(output)} (table, wide, json)\n`);
    return 2;
  }
  let kinds: StatusKind[];
  try {
    kinds = kindsFrom(values.kind as string | undefined);
  } catch (error) {
    io.stderr(`keyport status: ${(error as Error).message} (known: ${statusKinds.join(", ")})\n`);
    return 2;
  }
  const namespace = values["all-namespaces"] === true ? undefined : (values.namespace as string | undefined);
  let client: ReturnType<typeof statusClient> | undefined;
  try {
    client = statusClient({
      kubeconfig: values.kubeconfig as string | undefined,
      context: values.context as string | undefined,
    });
    const fetched = await fetchObjects(client, { namespace, kinds });
    const now = (io.now ?? Date.now)();
    const rows = statusRows(fetched.objects, now);
    for (const warning of fetched.warnings) io.stderr(`keyport status: ${warning}\n`);
    io.stdout(
      output === "json" ? renderJson(rows, now) : renderTable(rows, { nowMs: now, wide: output === "wide" }),
    );
    return rows.some((r) => r.failing) ? 1 : 0;
  } catch (error) {
    const hint =
      error instanceof KubeApiError && error.status === 403 && namespace === undefined
        ? " (try -n NAMESPACE if you may not list across namespaces)"
        : "";
    io.stderr(`keyport status: ${(error as Error).message}${hint}\n`);
    return 2;
  } finally {
    await client?.close();
  }
}
