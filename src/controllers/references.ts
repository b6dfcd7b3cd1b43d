// How resources name each other, as VSO resolves it: "namespace/name" or a bare "name" (in the
// referring resource's namespace); nothing means the object named "default" in the operator's
// namespace. Cross-namespace use is allowed only when the target says so.

export interface ObjectRef {
  namespace: string;
  name: string;
}

export class InvalidReferenceError extends Error {
  readonly reason = "InvalidResourceRef";
}

export function resolveRef(
  ref: string | undefined,
  referrerNamespace: string,
  operatorNamespace: string,
): ObjectRef {
  if (ref === undefined || ref === "") return { namespace: operatorNamespace, name: "default" };
  const parts = ref.split("/");
  if (parts.length === 1 && parts[0] !== "") return { namespace: referrerNamespace, name: ref };
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "")
    return { namespace: parts[0] ?? "", name: parts[1] ?? "" };
  throw new InvalidReferenceError(`invalid reference ${JSON.stringify(ref)}: use name or namespace/name`);
}

/**
 * VSO's isAllowedNamespace: a target may be used from its own namespace; `<operator ns>/default`
 * from anywhere; otherwise only from the namespaces it lists ("*" for all).
 */
export function isAllowedNamespace(
  target: ObjectRef,
  allowedNamespaces: readonly string[] | undefined,
  referrerNamespace: string,
  operatorNamespace: string,
): boolean {
  if (target.namespace === referrerNamespace) return true;
  if (target.namespace === operatorNamespace && target.name === "default") return true;
  const allowed = allowedNamespaces ?? [];
  return allowed.includes("*") || allowed.includes(referrerNamespace);
}

export function refKey(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}
