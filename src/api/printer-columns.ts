// The `kubectl get` columns VSO shows, read from status conditions.
import { conditionTypes } from "./shared.ts";

export interface PrinterColumn {
  name: string;
  type: "string" | "date" | "integer" | "number" | "boolean";
  jsonPath: string;
}

function conditionStatus(name: string, conditionType: string): PrinterColumn {
  return { name, type: "string", jsonPath: `.status.conditions[?(@.type == "${conditionType}")].status` };
}

const synced = conditionStatus("Synced", conditionTypes.secretSynced);
const healthy = conditionStatus("Healthy", conditionTypes.healthy);
const ready = conditionStatus("Ready", conditionTypes.ready);
const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

/** VaultConnection, VaultAuth, SecretTransformation. */
export const healthReadyColumns: readonly PrinterColumn[] = [healthy, ready, age];

/** VaultStaticSecret, VaultDynamicSecret, VaultPKISecret. */
export const syncedHealthReadyColumns: readonly PrinterColumn[] = [synced, healthy, ready, age];
