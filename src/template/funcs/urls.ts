// sprig's urlParse and urlJoin, following Go's net/url parsing and String() escaping.
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { type GoMap, type GoValue, newInterfaceMap, typeName } from "../values.ts";
import { asString } from "./convert.ts";

type Mode = "path" | "pathSegment" | "host" | "zone" | "userPassword" | "queryComponent" | "fragment";

function shouldEscape(c: number, mode: Mode): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  const ch = String.fromCharCode(c);
  if (mode === "host" || mode === "zone") {
    if ("!$&'()*+,;=:[]<>\"".includes(ch)) return false;
  }
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    switch (mode) {
      case "path":
        return ch === "?";
      case "pathSegment":
        return ch === "/" || ch === ";" || ch === "," || ch === "?";
      case "userPassword":
        return ch === "@" || ch === "/" || ch === "?" || ch === ":";
      case "queryComponent":
        return true;
      case "fragment":
        return false;
    }
  }
  if (mode === "fragment" && "!()*".includes(ch)) return false;
  return true;
}

function urlEscape(s: string, mode: Mode): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (shouldEscape(c, mode)) {
      if (c === 0x20 && mode === "queryComponent") out += "+";
      else out += `%${c.toString(16).toUpperCase().padStart(2, "0")}`;
    } else {
      out += s[i];
    }
  }
  return out;
}

const ishex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);

function urlUnescape(s: string, mode: Mode): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const c = s[i] as string;
    if (c === "%") {
      if (i + 2 >= s.length + 0 && !(ishex(s[i + 1]) && ishex(s[i + 2])))
        throw new FuncError("invalid URL escape");
      if (!ishex(s[i + 1]) || !ishex(s[i + 2])) throw new FuncError("invalid URL escape");
      const v = Number.parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === "host" && v < 0x80 && s.slice(i, i + 3) !== "%25")
        throw new FuncError("invalid URL escape");
      out += String.fromCharCode(v);
      i += 3;
      continue;
    }
    if (
      (mode === "host" || mode === "zone") &&
      s.charCodeAt(i) < 0x80 &&
      shouldEscape(s.charCodeAt(i), mode)
    ) {
      throw new FuncError("invalid character in host name");
    }
    out += c === "+" && mode === "queryComponent" ? " " : c;
    i++;
  }
  return out;
}

interface Url {
  scheme: string;
  opaque: string;
  user: { username: string; password?: string } | undefined;
  host: string;
  path: string;
  rawQuery: string;
  forceQuery: boolean;
  fragment: string;
  omitHost: boolean;
}

function validOptionalPort(port: string): boolean {
  if (port === "") return true;
  return /^:\d*$/.test(port);
}

function parseHost(host: string): string {
  const open = host.lastIndexOf("[");
  if (open > 0) throw new FuncError("invalid IP-literal");
  if (open === 0) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new FuncError("missing ']' in host");
    if (!validOptionalPort(host.slice(close + 1))) throw new FuncError("invalid port after host");
    return urlUnescape(host, "host");
  }
  const i = host.lastIndexOf(":");
  if (i !== -1 && !validOptionalPort(host.slice(i))) throw new FuncError("invalid port after host");
  return urlUnescape(host, "host");
}

function parse(raw: string): Url {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go rejects control bytes
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new FuncError("net/url: invalid control character in URL");
  const hash = raw.indexOf("#");
  const frag = hash >= 0 ? raw.slice(hash + 1) : "";
  let rest = hash >= 0 ? raw.slice(0, hash) : raw;
  const u: Url = {
    scheme: "",
    opaque: "",
    user: undefined,
    host: "",
    path: "",
    rawQuery: "",
    forceQuery: false,
    fragment: "",
    omitHost: false,
  };
  if (rest === "*") {
    u.path = "*";
    u.fragment = urlUnescape(frag, "fragment");
    return u;
  }
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    u.scheme = (sm[1] as string).toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[a-zA-Z0-9+.-]*:/.test(rest) && !/^[a-zA-Z]/.test(rest) && rest.indexOf(":") === 0) {
    throw new FuncError("missing protocol scheme");
  }
  if (rest.endsWith("?") && rest.split("?").length === 2) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    if (u.scheme !== "") {
      u.opaque = rest;
      u.fragment = urlUnescape(frag, "fragment");
      return u;
    }
    const segment = rest.split("/")[0] as string;
    if (segment.includes(":")) throw new FuncError("first path segment in URL cannot contain colon");
  }
  if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf("@");
    u.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(":");
      if (colon < 0) u.user = { username: urlUnescape(userinfo, "userPassword") };
      else {
        u.user = {
          username: urlUnescape(userinfo.slice(0, colon), "userPassword"),
          password: urlUnescape(userinfo.slice(colon + 1), "userPassword"),
        };
      }
    }
  } else if (u.scheme !== "" && rest.startsWith("/")) {
    u.omitHost = true;
  }
  u.path = urlUnescape(rest, "path");
  u.fragment = urlUnescape(frag, "fragment");
  return u;
}

function userString(user: Url["user"]): string {
  if (!user) return "";
  let s = urlEscape(user.username, "userPassword");
  if (user.password !== undefined) s += `:${urlEscape(user.password, "userPassword")}`;
  return s;
}

function hostname(host: string): string {
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close >= 0 ? host.slice(1, close) : host.slice(1);
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(host.slice(colon))) return host.slice(0, colon);
  return host;
}

function urlString(u: Url): string {
  let buf = "";
  if (u.scheme !== "") buf += `${u.scheme}:`;
  if (u.opaque !== "") {
    buf += u.opaque;
  } else {
    if (u.scheme !== "" || u.host !== "" || u.user !== undefined) {
      if (!(u.omitHost && u.host === "" && u.user === undefined)) {
        if (u.host !== "" || u.path !== "" || u.user !== undefined) buf += "//";
        if (u.user !== undefined) buf += `${userString(u.user)}@`;
        if (u.host !== "") buf += urlEscape(u.host, "host");
      }
    }
    const path = u.path === "*" ? "*" : urlEscape(u.path, "path");
    if (path !== "" && path[0] !== "/" && u.host !== "") buf += "/";
    if (buf === "") {
      const segment = path.split("/")[0] as string;
      if (segment.includes(":")) buf += "./";
    }
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== "") buf += `?${u.rawQuery}`;
  if (u.fragment !== "") buf += `#${urlEscape(u.fragment, "fragment")}`;
  return buf;
}

function urlParse(v: string): GoValue {
  const u = parse(v);
  return newInterfaceMap([
    ["scheme", u.scheme],
    ["host", u.host],
    ["hostname", hostname(u.host)],
    ["path", u.path],
    ["query", u.rawQuery],
    ["opaque", u.opaque],
    ["fragment", u.fragment],
    ["userinfo", userString(u.user)],
  ]);
}

function dictGetOrEmpty(d: GoMap, key: string): string {
  if (!d.entries.has(key)) return "";
  const v = d.entries.get(key);
  if (typeof v !== "string")
    throw new FuncError(`unable to parse ${key} key, must be of type string, but ${typeName(v)} found`);
  return v;
}

function urlJoin(d: GoMap): string {
  const u: Url = {
    scheme: dictGetOrEmpty(d, "scheme"),
    host: dictGetOrEmpty(d, "host"),
    path: dictGetOrEmpty(d, "path"),
    rawQuery: dictGetOrEmpty(d, "query"),
    opaque: dictGetOrEmpty(d, "opaque"),
    fragment: dictGetOrEmpty(d, "fragment"),
    user: undefined,
    forceQuery: false,
    omitHost: false,
  };
  const userinfo = dictGetOrEmpty(d, "userinfo");
  if (userinfo !== "") u.user = parse(`proto://${userinfo}@host`).user;
  return urlString(u);
}

export const urlFunctions: Record<string, FuncSpec> = {
  urlParse: spec(["string"], ([v]) => urlParse(asString(v))),
  urlJoin: spec(["map[string]interface {}"], ([d]) => urlJoin(d as GoMap)),
};
