// Executes parsed templates with Go text/template's semantics (text/template/exec.go):
// pipelines, variables, if/range/with/else, break/continue, {{template}}, field access on maps
// and structs, and function calls with Go's argument conversion and type checks.
import { builtins, isAndOr } from "./builtins.ts";
import { FuncError, TemplateError } from "./errors.ts";
import { formatValue } from "./fmt.ts";
import type { FuncMap, FuncSpec, GoParamType } from "./func-spec.ts";
import { Budget, type ExecLimits } from "./limits.ts";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import type { Tree } from "./parser.ts";
import {
  GoInt,
  GoMap,
  GoOpaque,
  GoSlice,
  GoStruct,
  type GoValue,
  isTrue,
  JsonNumber,
  kindName,
  sortedKeys,
  typeName,
} from "./values.ts";

const MISSING: unique symbol = Symbol("missing");
type Final = GoValue | typeof MISSING;

type Signal = "normal" | "break" | "continue";

class ExecFailure extends Error {}

interface Variable {
  name: string;
  value: GoValue;
}

export interface ExecOptions {
  limits: ExecLimits;
}

/** Runs template `name` of `trees` on `data`; returns the output as a Go byte string. */
export function executeTemplate(
  trees: ReadonlyMap<string, Tree>,
  funcs: FuncMap,
  name: string,
  data: GoValue,
  limits: ExecLimits,
): string {
  const tree = trees.get(name);
  if (tree === undefined) {
    throw new TemplateError("exec", `template: no template "${name}" associated with the template set`);
  }
  const state = new State(trees, funcs, tree, limits);
  try {
    state.vars = [{ name: "$", value: data }];
    state.walk(data, tree.root);
  } catch (error) {
    if (error instanceof ExecFailure) throw new TemplateError("exec", error.message);
    if (error instanceof TemplateError) throw error;
    if (error instanceof RangeError) {
      throw new TemplateError("limit", `template: ${name}: execution too deep or too large`);
    }
    // A bug of ours must still surface as a typed error, without the data that provoked it.
    throw new TemplateError("exec", `template: ${name}: internal error (${(error as Error).name})`);
  }
  return state.out.join("");
}

class State {
  readonly trees: ReadonlyMap<string, Tree>;
  readonly funcs: FuncMap;
  readonly budget: Budget;
  readonly limits: ExecLimits;
  tmpl: Tree;
  vars: Variable[] = [];
  depth = 0;
  out: string[] = [];
  outLength = 0;
  node: Node | undefined;

  constructor(trees: ReadonlyMap<string, Tree>, funcs: FuncMap, tmpl: Tree, limits: ExecLimits) {
    this.trees = trees;
    this.funcs = funcs;
    this.tmpl = tmpl;
    this.limits = limits;
    this.budget = new Budget(limits);
  }

  at(n: Node): void {
    this.node = n;
  }

  errorf(msg: string): never {
    const n = this.node;
    const name = this.tmpl.name;
    if (n === undefined) throw new ExecFailure(`template: ${name}: ${msg}`);
    const before = this.tmpl.text.slice(0, n.pos);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = n.pos - (before.lastIndexOf("\n") + 1);
    const where = n.type === "list" || n.type === "text" ? "" : ` at <${truncate(nodeString(n))}>`;
    throw new ExecFailure(`template: ${name}:${line}:${col}: executing "${name}"${where}: ${msg}`);
  }

  write(s: string): void {
    this.outLength += s.length;
    if (this.outLength > this.limits.maxOutputBytes) {
      throw new TemplateError("limit", `template output exceeded ${this.limits.maxOutputBytes} bytes`);
    }
    this.out.push(s);
  }

  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  push(name: string, value: GoValue): void {
    this.vars.push({ name, value });
  }
  setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: GoValue): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) v.value = value;
  }
  varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: GoValue, node: Node): Signal {
    this.at(node);
    this.budget.step();
    switch (node.type) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return "normal";
      }
      case "break":
        return "break";
      case "continue":
        return "continue";
      case "if":
      case "with":
        return this.walkIfOrWith(node.type, dot, node);
      case "list":
        for (const n of node.nodes) {
          const sig = this.walk(dot, n);
          if (sig !== "normal") return sig;
        }
        return "normal";
      case "range":
        return this.walkRange(dot, node);
      case "template":
        return this.walkTemplate(dot, node);
      case "text":
        this.write(node.text);
        return "normal";
      default:
        return this.errorf(`unknown node: ${node.type}`);
    }
  }

  walkIfOrWith(type: "if" | "with", dot: GoValue, node: BranchNode): Signal {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const truth = isTrue(val);
      if (truth) {
        return type === "with" ? this.walk(val, node.list) : this.walk(dot, node.list);
      }
      if (node.elseList !== undefined) return this.walk(dot, node.elseList);
      return "normal";
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: GoValue, r: BranchNode): Signal {
    this.at(r as Node);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: GoValue, elem: GoValue): Signal => {
        this.budget.step();
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            if (decl.length > 1) this.setVar((decl[0] as VariableNode).ident[0] as string, index);
            else this.setVar((decl[0] as VariableNode).ident[0] as string, elem);
          } else {
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar((decl[1] as VariableNode).ident[0] as string, elem);
          else this.setTopVar(2, index);
        }
        try {
          return this.walk(elem, r.list);
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      if (val instanceof GoSlice) {
        for (let i = 0; i < val.items.length; i++) {
          ran = true;
          if (oneIteration(new GoInt("int", BigInt(i)), val.items[i]) === "break") break;
        }
      } else if (val instanceof GoMap) {
        for (const k of sortedKeys(val)) {
          ran = true;
          if (oneIteration(k, val.entries.get(k)) === "break") break;
        }
      } else if (val instanceof GoInt) {
        if (decl.length > 1)
          this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        for (let i = 0n; i < val.value; i++) {
          ran = true;
          const v = new GoInt(val.type, i);
          if (oneIteration(v, v) === "break") break;
        }
      } else if (val === undefined || val === null) {
        // An invalid value acts like an empty map.
      } else {
        this.errorf(
          `range can't iterate over ${kindName(val) === "string" ? "a string" : `a value of type ${typeName(val)}`}`,
        );
      }
      if (!ran && r.elseList !== undefined) return this.walk(dot, r.elseList);
      return "normal";
    } finally {
      this.pop(outer);
    }
  }

  walkTemplate(dot: GoValue, t: TemplateNode): Signal {
    this.at(t);
    const tmpl = this.trees.get(t.name);
    if (tmpl === undefined) this.errorf(`template "${t.name}" not defined`);
    if (this.depth >= this.limits.maxTemplateDepth) {
      this.errorf(`exceeded maximum template depth (${this.limits.maxTemplateDepth})`);
    }
    const newDot = t.pipe === undefined ? undefined : this.evalPipeline(dot, t.pipe);
    const saved = { tmpl: this.tmpl, vars: this.vars, depth: this.depth };
    this.tmpl = tmpl as Tree;
    this.vars = [{ name: "$", value: newDot }];
    this.depth++;
    try {
      this.walk(newDot, (tmpl as Tree).root);
    } finally {
      this.tmpl = saved.tmpl;
      this.vars = saved.vars;
      this.depth = saved.depth;
    }
    return "normal";
  }

  evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // An interface{} result is unwrapped: a nil interface becomes "no value".
      if (value === null) value = undefined;
    }
    const result = value === MISSING ? undefined : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0] as string, result);
      else this.push(v.ident[0] as string, result);
    }
    return result;
  }

  notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as Node)}`);
    }
  }

  evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    this.budget.step();
    const first = cmd.args[0] as Node;
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first.ident, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.errorf("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    return this.errorf(`can't evaluate command ${nodeString(first)}`);
  }

  idealConstant(n: NumberNode): GoValue {
    this.at(n);
    const isHexInt =
      n.text.length > 2 && n.text[0] === "0" && /[xX]/.test(n.text[1] as string) && !/[pP]/.test(n.text);
    const isRuneInt = n.text.startsWith("'");
    if (n.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(n.text)) return n.float64;
    if (n.isInt) return new GoInt("int", n.int64);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  evalFieldNode(dot: GoValue, field: FieldNode, args: Node[], final: Final): GoValue {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(dot: GoValue, chain: ChainNode, args: Node[], final: Final): GoValue {
    this.at(chain);
    if (chain.node.type === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: GoValue, variable: VariableNode, args: Node[], final: Final): GoValue {
    this.at(variable);
    const value = this.varValue(variable.ident[0] as string);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    node: Node,
    ident: string[],
    args: Node[],
    final: Final,
  ): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(dot, ident[i] as string, node, [], MISSING, receiver);
    }
    return this.evalField(dot, ident[n - 1] as string, node, args, final, receiver);
  }

  evalField(
    dot: GoValue,
    fieldName: string,
    node: Node,
    args: Node[],
    final: Final,
    receiver: GoValue,
  ): GoValue {
    this.budget.step();
    if (receiver === undefined) return undefined;
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (receiver instanceof GoOpaque) {
      const m = receiver.method(fieldName);
      if (m !== undefined) {
        const f: FuncSpec = { params: m.params as GoParamType[], fn: (a) => m.call(a) };
        return this.evalCall(dot, f, false, node, fieldName, args, final);
      }
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoStruct) {
      const field = receiver.fields.find((f) => f.name === fieldName);
      if (field !== undefined) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return receiver.values.get(fieldName);
      }
    } else if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return receiver.entries.get(fieldName);
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  evalFunction(dot: GoValue, name: string, node: Node, args: Node[], final: Final): GoValue {
    this.at(node);
    const user = Object.hasOwn(this.funcs, name) ? this.funcs[name] : undefined;
    if (user !== undefined) return this.evalCall(dot, user, false, node, name, args, final);
    const builtin = Object.hasOwn(builtins, name) ? builtins[name] : undefined;
    if (builtin !== undefined) return this.evalCall(dot, builtin, true, node, name, args, final);
    return this.errorf(`"${name}" is not a defined function`);
  }

  evalCall(
    dot: GoValue,
    fn: FuncSpec,
    isBuiltin: boolean,
    node: Node,
    name: string,
    allArgs: Node[],
    final: Final,
  ): GoValue {
    this.budget.step();
    const args = allArgs.slice(1);
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    let numFixed = args.length;
    const declared = fn.params.length + (fn.variadic !== undefined ? 1 : 0);
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
      }
    } else if (numIn !== declared) {
      this.errorf(`wrong number of args for ${name}: want ${declared} got ${numIn}`);
    }

    if (isBuiltin && isAndOr(name)) {
      const wantTrue = name === "or";
      let v: GoValue;
      for (const arg of args) {
        v = this.unwrapReflect(this.evalArg(dot, "reflect.Value", arg));
        if (isTrue(v) === wantTrue) return v;
      }
      if (final !== MISSING) v = this.unwrapReflect(this.validateType(final, "reflect.Value"));
      return v;
    }

    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) {
      argv.push(this.evalArg(dot, fn.params[i] as GoParamType, args[i] as Node));
    }
    if (fn.variadic !== undefined) {
      for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i] as Node));
    }
    if (final !== MISSING) {
      let t: GoParamType;
      if (fn.variadic !== undefined) {
        t = numIn - 1 < numFixed ? (fn.params[numIn - 1] as GoParamType) : fn.variadic;
      } else {
        t = fn.params[fn.params.length - 1] as GoParamType;
      }
      argv.push(this.validateType(final, t));
    }
    if (isBuiltin) {
      // Builtins take reflect.Value: a nil interface and a missing value are the same to them.
      for (let k = 0; k < argv.length; k++) if (argv[k] === null) argv[k] = undefined;
    }
    let result: GoValue;
    try {
      result = fn.fn(argv, { budget: this.budget });
    } catch (error) {
      if (error instanceof TemplateError || error instanceof ExecFailure) throw error;
      if (error instanceof RangeError && /call stack/i.test(error.message)) throw error;
      this.at(node);
      const reason = error instanceof FuncError ? error.message : "the function failed";
      return this.errorf(`error calling ${name}: ${reason}`);
    }
    // Some functions (bcrypt) are expensive on their own: check the clock after each call.
    this.budget.checkTime();
    // Values that grow by repeated doubling are stopped here, whatever function built them.
    if (typeof result === "string") this.budget.checkStringLength(result.length, name);
    else if (result instanceof GoSlice) this.budget.checkListLength(result.items.length, name);
    return result;
  }

  unwrapReflect(v: GoValue): GoValue {
    return v === null ? undefined : v;
  }

  evalArg(dot: GoValue, typ: GoParamType | null, n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (typ === null || canBeNil(typ)) return zeroOf(typ);
        return this.errorf(`cannot assign nil to ${typ}`);
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), typ);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n.ident, n, [n], MISSING), typ);
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
    }
    switch (typ) {
      case "bool":
        if (n.type === "bool") return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case "float64":
        if (n.type === "number" && n.isFloat) return n.float64;
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case "int":
      case "int64":
        if (n.type === "number" && n.isInt) return new GoInt(typ, n.int64);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case "string":
        if (n.type === "string") return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case "interface {}":
      case "reflect.Value":
      case null:
        return this.evalEmptyInterface(dot, n);
    }
    return this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ}`);
  }

  evalEmptyInterface(dot: GoValue, n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case "bool":
        return n.value;
      case "dot":
        return dot;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    return this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  validateType(value: GoValue, typ: GoParamType | null): GoValue {
    if (value === undefined) {
      if (typ === null) return undefined;
      if (canBeNil(typ)) return zeroOf(typ);
      return this.errorf(`invalid value; expected ${typ}`);
    }
    if (typ === null || typ === "reflect.Value" || typ === "interface {}") return value;
    if (value === null) return this.errorf(`wrong type for value; expected ${typ}; got interface {}`);
    const actual = typeName(value);
    if (actual === typ) return value;
    return this.errorf(`wrong type for value; expected ${typ}; got ${actual}`);
  }

  printValue(n: Node, v: GoValue): void {
    this.at(n);
    if (v === undefined || v === null) {
      this.write("<no value>");
      return;
    }
    if (v instanceof GoStruct && v.pointer) {
      v = new GoStruct(v.typeName, false, v.fields, v.values);
    }
    const s = formatValue(v);
    this.write(s);
  }
}

function canBeNil(typ: GoParamType): boolean {
  return (
    typ === "interface {}" ||
    typ === "reflect.Value" ||
    typ.startsWith("map[") ||
    typ.startsWith("[]") ||
    typ.startsWith("*")
  );
}

function zeroOf(typ: GoParamType | null): GoValue {
  if (typ === null || typ === "reflect.Value") return undefined;
  if (typ === "interface {}") return null;
  if (typ.startsWith("map[string]")) return new GoMap(typ.slice("map[string]".length), new Map(), true);
  if (typ.startsWith("[]")) return new GoSlice(typ.slice(2), [], true);
  if (typ.startsWith("*")) return null;
  return undefined;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export { JsonNumber };
