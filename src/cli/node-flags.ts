// Node flags the operator process runs with, wherever it runs: the image's ENTRYPOINT, bin/keyport,
// the tests, the demo and the bench all use this list (test/unit/ship/image.test.ts holds the
// Dockerfile and bin/keyport to it).
//
// --max-semi-space-size=1 (MiB): V8's young generation defaults to up to 16 MiB per semi-space,
// which a burst of watch events fills and the process keeps as resident memory. At 1 MiB the
// operator's RSS after syncing 100 objects fell from 207 to 176 MiB and after 500–1,000 objects by
// roughly a third (npm run bench -- --operator-node-args=…, docs/performance.md); the extra
// scavenges did not measurably change sync throughput, which the apiserver bounds.
export const operatorNodeFlags: readonly string[] = ["--max-semi-space-size=1"];
