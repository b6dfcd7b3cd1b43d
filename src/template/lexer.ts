// The lexer of Go's text/template: text, actions between {{ and }}, trim markers, comments, and
// the tokens inside actions. Input is a Go byte string (see go-string.ts).
import { decodeRune } from "./go-string.ts";
import { isDigit, isLetter } from "./unicode.ts";

export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "comment"
  | "complex"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  // keywords
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

const keywords: Record<string, ItemType> = {
  ".": "dot",
  block: "block",
  break: "break",
  continue: "continue",
  define: "define",
  else: "else",
  end: "end",
  if: "if",
  range: "range",
  nil: "nil",
  template: "template",
  with: "with",
};

const leftDelim = "{{";
const rightDelim = "}}";
const leftComment = "/*";
const rightComment = "*/";
const trimMarker = "-";

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";

function isAlphaNumeric(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (Number.isNaN(c)) return false;
  if (c === 0x5f) return true;
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const [r] = decodeRune(s, i);
  return isLetter(r) || isDigit(r);
}

function runeWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) return 1;
  return decodeRune(s, i)[1];
}

/** Produces all items of `input` eagerly; an error item ends the stream. */
export function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;
  let insideAction = false;

  const emit = (type: ItemType, val = input.slice(start, pos)) => {
    items.push({ type, pos: start, val, line: startLine });
    start = pos;
    startLine = line;
  };
  const ignore = () => {
    for (let i = start; i < pos; i++) if (input[i] === "\n") line++;
    start = pos;
    startLine = line;
  };
  const advance = (n: number) => {
    for (let i = pos; i < pos + n && i < input.length; i++) if (input[i] === "\n") line++;
    pos += n;
  };
  const fail = (msg: string): Item[] => {
    items.push({ type: "error", pos: start, val: msg, line: startLine });
    return items;
  };
  const hasLeftTrimMarker = (p: number) =>
    input[p] === trimMarker && input.length > p + 1 && isSpace(input[p + 1]);
  const atRightDelim = (): [boolean, boolean] => {
    if (
      isSpace(input[pos]) &&
      input.startsWith(trimMarker, pos + 1) &&
      input.startsWith(rightDelim, pos + 2)
    ) {
      return [true, true];
    }
    if (input.startsWith(rightDelim, pos)) return [true, false];
    return [false, false];
  };
  const leftTrimLength = (p: number) => {
    let n = 0;
    while (isSpace(input[p + n])) n++;
    return n;
  };

  // Text and the start of actions.
  while (true) {
    if (!insideAction) {
      const x = input.indexOf(leftDelim, pos);
      if (x >= 0) {
        let trimLength = 0;
        const delimEnd = x + leftDelim.length;
        if (hasLeftTrimMarker(delimEnd)) {
          let k = x;
          while (k > pos && isSpace(input[k - 1])) k--;
          trimLength = x - k;
        }
        advance(x - pos);
        const textEnd = pos - trimLength;
        if (textEnd > start) {
          items.push({ type: "text", pos: start, val: input.slice(start, textEnd), line: startLine });
        }
        // lexLeftDelim
        const p = pos + leftDelim.length;
        const trimSpace = hasLeftTrimMarker(p);
        const afterMarker = trimSpace ? trimMarker.length + 1 : 0;
        if (input.startsWith(leftComment, p + afterMarker)) {
          // lexComment
          pos = p + afterMarker;
          start = pos;
          startLine = line;
          // ignore the delimiter (and marker)
          pos += leftComment.length;
          const c = input.indexOf(rightComment, pos);
          if (c < 0) return fail("unclosed comment");
          advance(c + rightComment.length - pos);
          const [delim, trim] = atRightDelim();
          if (!delim) return fail("comment ends before closing delimiter");
          // Comments are dropped (Go only keeps them with ParseComments).
          if (trim) advance(2);
          advance(rightDelim.length);
          if (trim) advance(leftTrimLength(pos));
          ignore();
          continue;
        }
        start = pos;
        startLine = line;
        pos = p;
        items.push({ type: "leftDelim", pos: start, val: leftDelim, line: startLine });
        pos += afterMarker;
        start = pos;
        startLine = line;
        parenDepth = 0;
        insideAction = true;
        continue;
      }
      advance(input.length - pos);
      if (pos > start) {
        items.push({ type: "text", pos: start, val: input.slice(start, pos), line: startLine });
        start = pos;
      }
      items.push({ type: "eof", pos, val: "", line });
      return items;
    }

    // lexInsideAction
    const [delim, trimSpace] = atRightDelim();
    if (delim) {
      if (parenDepth === 0) {
        if (trimSpace) {
          advance(2);
          ignore();
        }
        advance(rightDelim.length);
        emit("rightDelim");
        if (trimSpace) {
          advance(leftTrimLength(pos));
          ignore();
        }
        insideAction = false;
        continue;
      }
      return fail("unclosed left paren");
    }
    if (pos >= input.length) return fail("unclosed action");
    const c = input[pos] as string;
    if (isSpace(c)) {
      // lexSpace: a run of spaces; the last one may belong to a trim-marked " -}}".
      let n = 0;
      while (isSpace(input[pos])) {
        advance(1);
        n++;
      }
      if (input[pos] === trimMarker && input.startsWith(rightDelim, pos + 1)) {
        pos--;
        if (input[pos] === "\n") line--;
        if (n === 1) continue;
      }
      emit("space");
      continue;
    }
    if (c === "=") {
      advance(1);
      emit("assign");
      continue;
    }
    if (c === ":") {
      if (input[pos + 1] !== "=") {
        advance(1);
        return fail("expected :=");
      }
      advance(2);
      emit("declare");
      continue;
    }
    if (c === "|") {
      advance(1);
      emit("pipe");
      continue;
    }
    if (c === '"') {
      // lexQuote
      advance(1);
      let ok = false;
      while (pos < input.length) {
        const ch = input[pos];
        if (ch === "\\") {
          if (pos + 1 < input.length && input[pos + 1] !== "\n") {
            advance(2);
            continue;
          }
          advance(1);
          return fail("unterminated quoted string");
        }
        if (ch === "\n") return fail("unterminated quoted string");
        advance(1);
        if (ch === '"') {
          ok = true;
          break;
        }
      }
      if (!ok) return fail("unterminated quoted string");
      emit("string");
      continue;
    }
    if (c === "`") {
      const e = input.indexOf("`", pos + 1);
      if (e < 0) return fail("unterminated raw quoted string");
      advance(e + 1 - pos);
      emit("rawString");
      continue;
    }
    if (c === "$") {
      // lexVariable
      advance(1);
      while (isAlphaNumeric(input, pos)) advance(runeWidth(input, pos));
      if (!atTerminator()) return fail(`bad character ${describeRune(input, pos)}`);
      emit("variable");
      continue;
    }
    if (c === "'") {
      // lexChar
      advance(1);
      let ok = false;
      while (pos < input.length) {
        const ch = input[pos];
        if (ch === "\\") {
          if (pos + 1 < input.length && input[pos + 1] !== "\n") {
            advance(2);
            continue;
          }
          return fail("unterminated character constant");
        }
        if (ch === "\n") return fail("unterminated character constant");
        advance(runeWidth(input, pos));
        if (ch === "'") {
          ok = true;
          break;
        }
      }
      if (!ok) return fail("unterminated character constant");
      emit("charConstant");
      continue;
    }
    if (c === ".") {
      // special look-ahead for ".field" so we don't break l.backup().
      if (pos < input.length - 1) {
        const r = input[pos + 1] as string;
        if (r < "0" || r > "9") {
          // lexField
          advance(1);
          if (!isAlphaNumeric(input, pos)) {
            if (!atTerminator()) return fail(`bad character ${describeRune(input, pos)}`);
            emit("dot");
            continue;
          }
          while (isAlphaNumeric(input, pos)) advance(runeWidth(input, pos));
          if (!atTerminator()) return fail(`bad character ${describeRune(input, pos)}`);
          emit("field");
          continue;
        }
      }
      // fall through to number
    }
    if (c === "." || c === "+" || c === "-" || (c >= "0" && c <= "9")) {
      if (!scanNumber()) {
        return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
      }
      if (input[pos] === "+" || input[pos] === "-") {
        // Complex: 1+2i. No spaces, must end in 'i'.
        if (!scanNumber() || input[pos - 1] !== "i") {
          return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
        }
        emit("complex");
        continue;
      }
      emit("number");
      continue;
    }
    if (isAlphaNumeric(input, pos)) {
      // lexIdentifier
      while (isAlphaNumeric(input, pos)) advance(runeWidth(input, pos));
      const word = input.slice(start, pos);
      if (!atTerminator()) return fail(`bad character ${describeRune(input, pos)}`);
      if (Object.hasOwn(keywords, word) && word !== ".") emit(keywords[word] as ItemType);
      else if (word[0] === ".") emit("field");
      else if (word === "true" || word === "false") emit("bool");
      else emit("identifier");
      continue;
    }
    if (c === "(") {
      advance(1);
      emit("leftParen");
      parenDepth++;
      continue;
    }
    if (c === ")") {
      advance(1);
      emit("rightParen");
      parenDepth--;
      if (parenDepth < 0) return fail("unexpected right paren");
      continue;
    }
    if (c.charCodeAt(0) <= 0x7f && /[!-/:-@[-`{-~]/.test(c)) {
      advance(1);
      emit("char");
      continue;
    }
    return fail(`unrecognized character in action: ${describeRune(input, pos)}`);
  }

  function atTerminator(): boolean {
    const r = input[pos];
    if (r === undefined) return true;
    if (isSpace(r)) return true;
    if (r === "." || r === "," || r === "|" || r === ":" || r === ")" || r === "(") return true;
    return input.startsWith(rightDelim, pos);
  }

  function scanNumber(): boolean {
    const accept = (valid: string) => {
      const ch = input[pos];
      if (ch !== undefined && valid.includes(ch)) {
        advance(1);
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string) => {
      while (accept(valid));
    };
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(input, pos)) {
      advance(1);
      return false;
    }
    return true;
  }
}

function describeRune(s: string, i: number): string {
  const [r] = decodeRune(s, i);
  return `U+${r.toString(16).toUpperCase().padStart(4, "0")}`;
}
