// Text that is valid JSON but hostile to whatever handles it next: right-to-left overrides,
// zero-width joiners, combining marks, emoji, NUL and other control characters, lone surrogates
// (sent as JSON escapes; Go turns them into U+FFFD), homoglyphs of ASCII names.
import { describePath, fieldsOf, type Idea, setPath } from "../idea.ts";

const samples: readonly string[] = [
  "\u202Eevil\u202C",
  "zero\u200Bwidth\u200D",
  "e\u0301\u0301\u0301\u0301\u0301",
  "🔑🗝️💥".repeat(50),
  "nul\u0000byte",
  "ctrl\u0001\u0007\u001b[31m",
  "\ud800lone",
  "\udfffhigh",
  "ｄｅｆａｕｌｔ",
  "kv\u2215secret",
  "\uFEFFbom",
  "line\nbreak\r\n",
  "😀".repeat(2000),
];

export const unicode: Idea = {
  name: "unicode",
  apply(rng, candidate) {
    const path = rng.pick(fieldsOf[candidate.kind]);
    const text = rng.pick(samples);
    const value = rng.chance(0.2) ? { [text]: text } : rng.chance(0.2) ? [text, text] : text;
    setPath(candidate.spec, path, value);
    if (rng.chance(0.15)) candidate.metadata.labels = { [`k-${rng.string(4)}`]: text };
    return `${describePath(path)} = ${JSON.stringify(value).slice(0, 80)}`;
  },
};
