// The parse tree of Go's text/template (text/template/parse), reduced to what execution needs.

export interface Pos {
  /** byte offset in the template text */
  pos: number;
  line: number;
}

export type Node =
  | ListNode
  | TextNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode;

export interface ListNode extends Pos {
  type: "list";
  nodes: Node[];
}
export interface TextNode extends Pos {
  type: "text";
  text: string;
}
export interface ActionNode extends Pos {
  type: "action";
  pipe: PipeNode;
}
export interface BranchNode extends Pos {
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface IfNode extends BranchNode {
  type: "if";
}
export interface RangeNode extends BranchNode {
  type: "range";
}
export interface WithNode extends BranchNode {
  type: "with";
}
export interface TemplateNode extends Pos {
  type: "template";
  name: string;
  pipe: PipeNode | undefined;
}
export interface BreakNode extends Pos {
  type: "break";
}
export interface ContinueNode extends Pos {
  type: "continue";
}
export interface PipeNode extends Pos {
  type: "pipe";
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Pos {
  type: "command";
  args: Node[];
}
export interface IdentifierNode extends Pos {
  type: "identifier";
  ident: string;
}
export interface VariableNode extends Pos {
  type: "variable";
  ident: string[];
}
export interface DotNode extends Pos {
  type: "dot";
}
export interface NilNode extends Pos {
  type: "nil";
}
export interface FieldNode extends Pos {
  type: "field";
  ident: string[];
}
export interface ChainNode extends Pos {
  type: "chain";
  node: Node;
  field: string[];
}
export interface BoolNode extends Pos {
  type: "bool";
  value: boolean;
}
export interface NumberNode extends Pos {
  type: "number";
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
}
export interface StringNode extends Pos {
  type: "string";
  quoted: string;
  text: string;
}

/** The node as Go's String() prints it, for error locations (`at <...>`). */
export function nodeString(n: Node): string {
  switch (n.type) {
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((i) => `.${i}`).join("");
    case "chain": {
      const inner = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => `.${f}`).join("");
    }
    case "bool":
      return n.value ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "pipe": {
      let s = "";
      if (n.decl.length > 0)
        s = `${n.decl.map((d) => d.ident.join(".")).join(", ")} ${n.isAssign ? "=" : ":="} `;
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "range":
    case "with":
      return `{{${n.type} ${nodeString(n.pipe)}}}`;
    case "template":
      return `{{template "${n.name}"${n.pipe ? ` ${nodeString(n.pipe)}` : ""}}}`;
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "text":
      return "text";
    case "list":
      return "list";
  }
}

/** parse.IsEmptyTree: only whitespace text and empty lists. */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "" && !/[^ \t\r\n\v\f]/.test(n.text);
    default:
      return false;
  }
}
