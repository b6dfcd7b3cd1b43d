// sprig's path functions: Go's path package (and path/filepath, identical on Linux).
import { type FuncSpec, spec } from "../func-spec.ts";
import { asString } from "./convert.ts";

/** path.Clean: the shortest equivalent path by lexical processing. */
export function clean(path: string): string {
  if (path === "") return ".";
  const rooted = path[0] === "/";
  const n = path.length;
  const buf: string[] = [];
  let w = 0;
  const append = (c: string) => {
    buf[w] = c;
    w++;
  };
  let r = 0;
  let dotdot = 0;
  if (rooted) {
    append("/");
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (path[r] === "/") {
      r++;
    } else if (path[r] === "." && (r + 1 === n || path[r + 1] === "/")) {
      r++;
    } else if (path[r] === "." && path[r + 1] === "." && (r + 2 === n || path[r + 2] === "/")) {
      r += 2;
      if (w > dotdot) {
        w--;
        while (w > dotdot && buf[w] !== "/") w--;
      } else if (!rooted) {
        if (w > 0) append("/");
        append(".");
        append(".");
        dotdot = w;
      }
    } else {
      if ((rooted && w !== 1) || (!rooted && w !== 0)) append("/");
      for (; r < n && path[r] !== "/"; r++) append(path[r] as string);
    }
  }
  if (w === 0) return ".";
  return buf.slice(0, w).join("");
}

export function base(path: string): string {
  if (path === "") return ".";
  while (path.length > 0 && path[path.length - 1] === "/") path = path.slice(0, -1);
  const i = path.lastIndexOf("/");
  if (i >= 0) path = path.slice(i + 1);
  if (path === "") return "/";
  return path;
}

export function dir(path: string): string {
  const i = path.lastIndexOf("/");
  return clean(path.slice(0, i + 1));
}

export function ext(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== "/"; i--) {
    if (path[i] === ".") return path.slice(i);
  }
  return "";
}

const isAbs = (p: string) => p.startsWith("/");

export const pathFunctions: Record<string, FuncSpec> = {
  base: spec(["string"], ([p]) => base(asString(p))),
  dir: spec(["string"], ([p]) => dir(asString(p))),
  clean: spec(["string"], ([p]) => clean(asString(p))),
  ext: spec(["string"], ([p]) => ext(asString(p))),
  isAbs: spec(["string"], ([p]) => isAbs(asString(p))),
  osBase: spec(["string"], ([p]) => base(asString(p))),
  osClean: spec(["string"], ([p]) => clean(asString(p))),
  osDir: spec(["string"], ([p]) => dir(asString(p))),
  osExt: spec(["string"], ([p]) => ext(asString(p))),
  osIsAbs: spec(["string"], ([p]) => isAbs(asString(p))),
};
