// sprig's reflect.go: type and kind names as Go's %T and reflect.Kind print them.
import { type FuncSpec, spec } from "../func-spec.ts";
import { deepEqual, kindName, typeName } from "../values.ts";

export const reflectionFunctions: Record<string, FuncSpec> = {
  typeOf: spec(["interface {}"], ([v]) => typeName(v)),
  typeIs: spec(["string", "interface {}"], ([t, v]) => t === typeName(v)),
  typeIsLike: spec(["string", "interface {}"], ([t, v]) => {
    const n = typeName(v);
    return t === n || `*${t}` === n;
  }),
  kindOf: spec(["interface {}"], ([v]) => kindName(v)),
  kindIs: spec(["string", "interface {}"], ([t, v]) => t === kindName(v)),
  deepEqual: spec(["interface {}", "interface {}"], ([a, b]) => deepEqual(a, b)),
};
