// Certificates made in the cluster and the Secret data they become: for the VaultPKISecret
// controller. The Vault calls themselves are in ../vault/engines/pki.ts.
export * from "./chain.ts";
export * from "./csr.ts";
export * from "./keys.ts";
export * from "./pkcs12.ts";
export * from "./renewal.ts";
export * from "./secret-data.ts";
