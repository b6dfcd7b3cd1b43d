// Which REST collection a kind lives in, and the paths to it. Built-ins and CRDs alike: the
// caller says what it watches, so nothing needs discovery.

export interface ResourceType {
  /** "v1" for the core group, otherwise "group/version". */
  apiVersion: string;
  kind: string;
  /** The lowercase plural in the URL (secrets, vaultstaticsecrets). */
  plural: string;
  namespaced: boolean;
}

export interface PathOptions {
  /** Omitted for cluster-scoped kinds, or to address a namespaced kind across all namespaces. */
  namespace?: string | undefined;
  name?: string | undefined;
  /** "status", "scale", … */
  subresource?: string | undefined;
}

/** /api/v1/namespaces/ns/secrets/name or /apis/group/version/…, segments URL-encoded. */
export function resourcePath(resource: ResourceType, options: PathOptions = {}): string {
  const root = resource.apiVersion.includes("/")
    ? `/apis/${resource.apiVersion}`
    : `/api/${resource.apiVersion}`;
  const segments: string[] = [];
  if (resource.namespaced && options.namespace !== undefined && options.namespace !== "") {
    segments.push("namespaces", options.namespace);
  }
  segments.push(resource.plural);
  if (options.name !== undefined) {
    segments.push(options.name);
    if (options.subresource !== undefined) segments.push(options.subresource);
  }
  return `${root}/${segments.map(encodeURIComponent).join("/")}`;
}

export const configMaps: ResourceType = {
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};
export const secrets: ResourceType = {
  apiVersion: "v1",
  kind: "Secret",
  plural: "secrets",
  namespaced: true,
};
export const events: ResourceType = { apiVersion: "v1", kind: "Event", plural: "events", namespaced: true };
export const namespaces: ResourceType = {
  apiVersion: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
};
export const leases: ResourceType = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
};
