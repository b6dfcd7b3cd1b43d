// The parser of Go's text/template: builds trees for the template text and for each
// {{define}}/{{block}}, checks variables and functions at parse time as Go does, and reports
// errors as `template: name:line: message`.
import { TemplateError } from "./errors.ts";
import { decodeRune } from "./go-string.ts";
import { type Item, type ItemType, lex } from "./lexer.ts";
import type {
  ActionNode,
  BranchNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./nodes.ts";
import { isEmptyTree } from "./nodes.ts";
import { parseFloat64, parseInt64, parseUint, unquote } from "./strconv.ts";

export interface Tree {
  name: string;
  root: ListNode;
  /** the text it was parsed from, for error positions */
  text: string;
}

type ElseNode = { type: "else"; pos: number; line: number };
type EndNode = { type: "end"; pos: number; line: number };

class ParseFailure extends Error {}

/**
 * Parses `text` (a Go byte string) as template `name`. Returns every tree it defines, the
 * template itself first; `hasFunction` decides which identifiers are functions.
 */
export function parseTemplate(
  name: string,
  text: string,
  hasFunction: (n: string) => boolean,
): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const items = lex(text);
  let index = 0;

  // The tree being parsed now (the main one or a definition).
  let treeName = name;
  let vars: string[] = ["$"];
  let rangeDepth = 0;
  let actionLine = 0;

  const errorf = (msg: string): never => {
    const it = items[Math.min(index, items.length) - 1] ?? items[0];
    const line = actionLine !== 0 ? actionLine : (it?.line ?? 1);
    throw new ParseFailure(`template: ${name}:${line}: ${msg}`);
  };
  const next = (): Item => {
    const it = items[index];
    if (it === undefined) return { type: "eof", pos: text.length, val: "", line: 1 };
    index++;
    if (it.type === "error") {
      actionLine = 0;
      throw new ParseFailure(`template: ${name}:${it.line}: ${it.val}`);
    }
    return it;
  };
  const backup = (n = 1) => {
    index -= n;
  };
  const peek = (): Item => {
    const it = next();
    backup();
    return it;
  };
  const nextNonSpace = (): Item => {
    let it: Item;
    do it = next();
    while (it.type === "space");
    return it;
  };
  // As in Go, peeking past spaces consumes them.
  const peekNonSpace = (): Item => {
    const it = nextNonSpace();
    backup();
    return it;
  };
  const describe = (it: Item): string => {
    switch (it.type) {
      case "eof":
        return "EOF";
      case "error":
        return it.val;
      case "leftDelim":
      case "rightDelim":
        return `"${it.val}"`;
      default:
        if (it.type !== "text" && it.type !== "string" && it.type !== "rawString" && isKeyword(it.type)) {
          return `<${it.val}>`;
        }
        return it.val.length > 10 ? `${JSON.stringify(it.val.slice(0, 10))}...` : JSON.stringify(it.val);
    }
  };
  const unexpected = (it: Item, context: string): never => {
    if (it.type === "error") {
      const extra =
        actionLine !== 0 && actionLine !== it.line ? ` in action started at ${treeName}:${actionLine}` : "";
      return errorf(`${it.val}${extra}`);
    }
    return errorf(`unexpected ${describe(it)} in ${context}`);
  };
  const expect = (type: ItemType, context: string): Item => {
    const it = nextNonSpace();
    if (it.type !== type) unexpected(it, context);
    return it;
  };

  const addTree = (t: Tree) => {
    const existing = treeSet.get(t.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      treeSet.set(t.name, t);
      return;
    }
    if (!isEmptyTree(t.root)) errorf(`template: multiple definition of template "${t.name}"`);
  };

  const newList = (pos: number, line: number): ListNode => ({ type: "list", nodes: [], pos, line });

  function itemList(): [ListNode, ElseNode | EndNode] {
    const p = peekNonSpace();
    const list = newList(p.pos, p.line);
    while (peekNonSpace().type !== "eof") {
      const n = textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    return errorf("unexpected EOF");
  }

  function textOrAction(): Node | ElseNode | EndNode {
    const it = nextNonSpace();
    switch (it.type) {
      case "text":
        return { type: "text", text: it.val, pos: it.pos, line: it.line };
      case "leftDelim": {
        actionLine = it.line;
        try {
          return action();
        } finally {
          actionLine = 0;
        }
      }
      default:
        return unexpected(it, "input");
    }
  }

  function action(): Node | ElseNode | EndNode {
    const it = nextNonSpace();
    switch (it.type) {
      case "block":
        return blockControl();
      case "break":
        return breakControl(it, "break");
      case "continue":
        return breakControl(it, "continue");
      case "else":
        return elseControl();
      case "end": {
        const t = expect("rightDelim", "end");
        return { type: "end", pos: t.pos, line: t.line };
      }
      case "if":
        return branchControl("if");
      case "range":
        return branchControl("range");
      case "template":
        return templateControl();
      case "with":
        return branchControl("with");
    }
    backup();
    const t = peek();
    const a: ActionNode = {
      type: "action",
      pipe: pipeline("command", "rightDelim"),
      pos: t.pos,
      line: t.line,
    };
    return a;
  }

  function breakControl(it: Item, kind: "break" | "continue"): Node {
    const t = nextNonSpace();
    if (t.type !== "rightDelim") unexpected(t, `{{${kind}}}`);
    if (rangeDepth === 0) errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos: it.pos, line: it.line };
  }

  function elseControl(): ElseNode {
    const p = peekNonSpace();
    if (p.type === "if" || p.type === "with") return { type: "else", pos: p.pos, line: p.line };
    const t = expect("rightDelim", "else");
    return { type: "else", pos: t.pos, line: t.line };
  }

  function branchControl(context: "if" | "range" | "with"): Node {
    const mark = vars.length;
    try {
      const pipe = pipeline(context, "rightDelim");
      if (context === "range") rangeDepth++;
      let [list, nextNode] = itemList();
      if (context === "range") rangeDepth--;
      let elseList: ListNode | undefined;
      if (nextNode.type === "else") {
        const p = peek();
        if (context === "if" && p.type === "if") {
          next();
          elseList = newList(nextNode.pos, nextNode.line);
          elseList.nodes.push(branchControl("if"));
        } else if (context === "with" && p.type === "with") {
          next();
          elseList = newList(nextNode.pos, nextNode.line);
          elseList.nodes.push(branchControl("with"));
        } else {
          [elseList, nextNode] = itemList();
          if (nextNode.type !== "end") errorf(`expected end; found {{else}}`);
        }
      }
      const node: BranchNode = { pipe, list, elseList, pos: pipe.pos, line: pipe.line };
      return { ...node, type: context };
    } finally {
      vars.length = mark;
    }
  }

  function parseTemplateName(it: Item, context: string): string {
    if (it.type === "string" || it.type === "rawString") {
      const s = unquote(it.val);
      if (s === undefined) errorf(`invalid syntax`);
      return s as string;
    }
    return unexpected(it, context);
  }

  function templateControl(): TemplateNode {
    const context = "template clause";
    const tok = nextNonSpace();
    const tname = parseTemplateName(tok, context);
    let pipe: PipeNode | undefined;
    if (nextNonSpace().type !== "rightDelim") {
      backup();
      pipe = pipeline(context, "rightDelim");
    }
    return { type: "template", name: tname, pipe, pos: tok.pos, line: tok.line };
  }

  function blockControl(): TemplateNode {
    const context = "block clause";
    const tok = nextNonSpace();
    const bname = parseTemplateName(tok, context);
    const pipe = pipeline(context, "rightDelim");
    // The block body is a definition of its own.
    const saveName = treeName;
    const saveVars = vars;
    const saveRange = rangeDepth;
    treeName = bname;
    vars = ["$"];
    rangeDepth = 0;
    const [root, end] = itemList();
    if (end.type !== "end") errorf(`unexpected {{else}} in ${context}`);
    addTree({ name: bname, root, text });
    treeName = saveName;
    vars = saveVars;
    rangeDepth = saveRange;
    return { type: "template", name: bname, pipe, pos: tok.pos, line: tok.line };
  }

  function pipeline(context: string, end: ItemType): PipeNode {
    const tok = peekNonSpace();
    const pipe: PipeNode = {
      type: "pipe",
      isAssign: false,
      decl: [],
      cmds: [],
      pos: tok.pos,
      line: tok.line,
    };
    while (true) {
      const v = peekNonSpace();
      if (v.type !== "variable") break;
      const save = index;
      nextNonSpace();
      const nx = peekNonSpace();
      if (nx.type === "assign" || nx.type === "declare") {
        pipe.isAssign = nx.type === "assign";
        nextNonSpace();
        pipe.decl.push({ type: "variable", ident: [v.val], pos: v.pos, line: v.line });
        vars.push(v.val);
      } else if (nx.type === "char" && nx.val === ",") {
        nextNonSpace();
        pipe.decl.push({ type: "variable", ident: [v.val], pos: v.pos, line: v.line });
        vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const p = peekNonSpace().type;
          if (p === "variable" || p === "rightDelim" || p === "rightParen") continue;
          errorf("range can only initialize variables");
        }
        errorf(`too many declarations in ${context}`);
      } else {
        index = save;
      }
      break;
    }
    while (true) {
      const it = nextNonSpace();
      if (it.type === end) {
        if (pipe.cmds.length === 0) errorf(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, i) => {
          const t = c.args[0]?.type;
          if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
            errorf(`non executable command in pipeline stage ${i + 2}`);
          }
        });
        return pipe;
      }
      switch (it.type) {
        case "bool":
        case "charConstant":
        case "complex":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          backup();
          pipe.cmds.push(command());
          break;
        default:
          unexpected(it, context);
      }
    }
  }

  function command(): CommandNode {
    const p = peekNonSpace();
    const cmd: CommandNode = { type: "command", args: [], pos: p.pos, line: p.line };
    while (true) {
      peekNonSpace();
      const op = operand();
      if (op !== undefined) cmd.args.push(op);
      const tok = next();
      if (tok.type === "space") continue;
      if (tok.type === "rightDelim" || tok.type === "rightParen") backup();
      else if (tok.type !== "pipe") unexpected(tok, "operand");
      break;
    }
    if (cmd.args.length === 0) errorf("empty command");
    return cmd;
  }

  function operand(): Node | undefined {
    const node = term();
    if (node === undefined) return undefined;
    if (peek().type === "field") {
      const first = peek();
      const fields: string[] = [];
      while (peek().type === "field") fields.push(next().val.slice(1));
      switch (node.type) {
        case "field":
          return { type: "field", ident: [...node.ident, ...fields], pos: first.pos, line: first.line };
        case "variable":
          return { type: "variable", ident: [...node.ident, ...fields], pos: first.pos, line: first.line };
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          return errorf(
            `unexpected . after term "${node.type === "string" ? node.quoted : node.type === "number" ? node.text : node.type === "bool" ? String(node.value) : node.type === "dot" ? "." : "nil"}"`,
          );
        default:
          return { type: "chain", node, field: fields, pos: first.pos, line: first.line };
      }
    }
    return node;
  }

  function term(): Node | undefined {
    const tok = nextNonSpace();
    switch (tok.type) {
      case "identifier":
        if (!hasFunction(tok.val)) errorf(`function "${tok.val}" not defined`);
        return { type: "identifier", ident: tok.val, pos: tok.pos, line: tok.line };
      case "dot":
        return { type: "dot", pos: tok.pos, line: tok.line };
      case "nil":
        return { type: "nil", pos: tok.pos, line: tok.line };
      case "variable": {
        if (!vars.includes(tok.val)) errorf(`undefined variable "${tok.val}"`);
        const v: VariableNode = { type: "variable", ident: [tok.val], pos: tok.pos, line: tok.line };
        return v;
      }
      case "field":
        return { type: "field", ident: [tok.val.slice(1)], pos: tok.pos, line: tok.line };
      case "bool":
        return { type: "bool", value: tok.val === "true", pos: tok.pos, line: tok.line };
      case "charConstant":
      case "complex":
      case "number":
        return newNumber(tok);
      case "leftParen":
        return pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString": {
        const s = unquote(tok.val);
        if (s === undefined) errorf("invalid syntax");
        return { type: "string", quoted: tok.val, text: s as string, pos: tok.pos, line: tok.line };
      }
    }
    backup();
    return undefined;
  }

  function newNumber(tok: Item): NumberNode {
    const n: NumberNode = {
      type: "number",
      text: tok.val,
      isInt: false,
      isUint: false,
      isFloat: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      pos: tok.pos,
      line: tok.line,
    };
    if (tok.type === "charConstant") {
      const s = unquote(tok.val);
      if (s === undefined) errorf("invalid syntax");
      const [r, w] = decodeRune(s as string, 0);
      if (w !== (s as string).length) errorf(`malformed character constant: ${tok.val}`);
      n.int64 = BigInt(r);
      n.isInt = true;
      n.uint64 = BigInt(r);
      n.isUint = true;
      n.float64 = r;
      n.isFloat = true;
      return n;
    }
    if (tok.type === "complex" || tok.val.endsWith("i")) {
      errorf(`complex number constants are not supported: ${tok.val}`);
    }
    const text = tok.val;
    const u = parseUint(text);
    if (u !== undefined) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseInt64(text);
    if (i !== undefined) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseFloat64(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) errorf(`integer overflow: ${JSON.stringify(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (!n.isInt && Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (!n.isUint && Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    return n;
  }

  // parse(): the top level, where {{define}} may appear.
  try {
    const first = items[0];
    const root = newList(first?.pos ?? 0, first?.line ?? 1);
    while (peek().type !== "eof") {
      if (peek().type === "leftDelim") {
        const save = index;
        next();
        if (nextNonSpace().type === "define") {
          parseDefinition();
          continue;
        }
        index = save;
      }
      const n = textOrAction();
      if (n.type === "end" || n.type === "else") errorf(`unexpected {{${n.type}}}`);
      root.nodes.push(n as Node);
    }
    treeName = name;
    vars = ["$"];
    addTree({ name, root, text });
  } catch (error) {
    if (error instanceof ParseFailure) throw new TemplateError("parse", error.message);
    if (error instanceof RangeError) throw new TemplateError("parse", `template: ${name}: nested too deeply`);
    throw error;
  }
  return treeSet;

  function parseDefinition(): void {
    const context = "define clause";
    const saveName = treeName;
    const tok = nextNonSpace();
    const dname = parseTemplateName(tok, context);
    treeName = dname;
    vars = ["$"];
    rangeDepth = 0;
    expect("rightDelim", context);
    const [root, end] = itemList();
    if (end.type !== "end") errorf(`unexpected {{else}} in ${context}`);
    addTree({ name: dname, root, text });
    treeName = saveName;
    vars = ["$"];
  }
}

function isKeyword(t: ItemType): boolean {
  return [
    "block",
    "break",
    "continue",
    "dot",
    "define",
    "else",
    "end",
    "if",
    "nil",
    "range",
    "template",
    "with",
  ].includes(t);
}
