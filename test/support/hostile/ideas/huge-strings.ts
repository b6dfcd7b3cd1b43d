// Strings far larger than any real value: 4 KiB to 512 KiB in one field, or a map of many large
// entries. The apiserver's request limit (3 MiB) and etcd's (1.5 MiB) bound what can be stored;
// what is stored must not make the operator slow, crash, or log megabytes per retry.
import { describePath, fieldsOf, type Idea, setPath } from "../idea.ts";

export const hugeStrings: Idea = {
  name: "huge-strings",
  apply(rng, candidate) {
    const path = rng.pick(fieldsOf[candidate.kind]);
    const size = rng.pick([4 * 1024, 64 * 1024, 256 * 1024, 512 * 1024]);
    const shape = rng.int(0, 2);
    if (shape === 0) {
      setPath(candidate.spec, path, rng.string(64).repeat(size / 64));
      return `${describePath(path)} = ${size}-byte string`;
    }
    if (shape === 1) {
      const entries = Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [`k${i}-${rng.string(8)}`, rng.string(32).repeat(32)]),
      );
      setPath(candidate.spec, path, entries);
      return `${describePath(path)} = map of 200 entries of 1 KiB`;
    }
    setPath(
      candidate.spec,
      path,
      Array.from({ length: 2000 }, () => rng.string(100)),
    );
    return `${describePath(path)} = list of 2000 strings of 100 bytes`;
  },
};
