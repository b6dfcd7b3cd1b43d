// Hostile templates fail safely and quickly: no JavaScript prototype or constructor is reachable,
// no environment, file or network function exists, and work, output and recursion are bounded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonKeepingNumbers } from "../../../src/sync/go-json.ts";
import {
  type ExecLimits,
  secretInput,
  stringMap,
  TemplateError,
  TemplateSet,
  vaultMap,
} from "../../../src/template/index.ts";

const secrets = parseJsonKeepingNumbers('{"password":"hunter2","list":[1,2,3]}') as Record<string, never>;
const input = () =>
  secretInput({
    secrets: vaultMap(secrets),
    wrapData: vaultMap(undefined),
    metadata: vaultMap({}),
    annotations: stringMap(undefined),
    labels: stringMap(undefined),
  });

function render(text: string, data: unknown = input(), limits: Partial<ExecLimits> = {}): string {
  const set = new TemplateSet(limits);
  set.parse("t", text);
  return set.execute("t", data as never).toString();
}

function failsQuickly(text: string, pattern: RegExp, limits: Partial<ExecLimits> = {}): void {
  const start = performance.now();
  assert.throws(
    () => render(text, input(), limits),
    (e: unknown) => e instanceof TemplateError && pattern.test(e.message),
  );
  assert.ok(performance.now() - start < 3_000, `took ${performance.now() - start} ms`);
}

test("JavaScript object internals behave like missing map keys", () => {
  const map = vaultMap(secrets);
  for (const t of [
    "{{ .constructor }}",
    "{{ .__proto__ }}",
    '{{ index . "__proto__" }}',
    '{{ index . "constructor" }}',
    "{{ .toString }}",
    "{{ .hasOwnProperty }}",
    "{{ .constructor.constructor }}",
  ]) {
    assert.equal(render(t, map), "<no value>", t);
  }
  assert.equal(render("{{ .Secrets.constructor }}|{{ .Secrets.__proto__ }}"), "<no value>|<no value>");
});

test("fields that do not exist on the input struct are errors, as in Go", () => {
  for (const t of ["{{ .constructor }}", "{{ .__proto__ }}", "{{ .prototype }}"]) {
    assert.throws(() => render(t), /can't evaluate field/);
  }
});

test("setting __proto__ stores an ordinary key and pollutes nothing", () => {
  const out = render(
    '{{ $_ := set .Secrets "__proto__" "x" }}{{ index .Secrets "__proto__" }} {{ toJson (dict "__proto__" 1) }}',
  );
  assert.equal(out, 'x {"__proto__":1}');
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.equal(Object.hasOwn(Object.prototype, "x"), false);
});

test("no environment, file system or network functions exist", () => {
  for (const f of [
    "env",
    "expandenv",
    "getHostByName",
    "readFile",
    "now",
    "uuidv4",
    "genPrivateKey",
    "randBytes",
  ]) {
    assert.throws(() => render(`{{ ${f} }}`), new RegExp(`function "${f}" not defined`));
  }
  assert.throws(() => render("{{ call .Secrets.password }}"), /error calling call/);
});

test("recursion through {{template}} stops at the depth limit", () => {
  failsQuickly(
    '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}',
    /maximum template depth \(1000\)/,
  );
  failsQuickly(
    '{{ define "r" }}x{{ template "r" . }}{{ end }}{{ template "r" . }}',
    /maximum template depth \(5\)/,
    {
      maxTemplateDepth: 5,
    },
  );
});

test("huge strings are refused before they are built", () => {
  failsQuickly('{{ repeat 100000000 "x" }}', /over the 1048576-byte limit/);
  failsQuickly('{{ $x := "xxxxxxxx" }}{{ range until 64 }}{{ $x = cat $x $x }}{{ end }}', /byte limit/);
  failsQuickly('{{ $x := "xx" }}{{ range until 64 }}{{ $x = printf "%s%s" $x $x }}{{ end }}', /byte limit/);
  failsQuickly('{{ range until 1000 }}{{ indent 100000 "a\\nb" }}{{ end }}', /output exceeded/);
});

test("huge lists are refused", () => {
  failsQuickly("{{ until 100000000 }}", /element limit/);
  failsQuickly("{{ $l := list 1 }}{{ range until 64 }}{{ $l = concat $l $l }}{{ end }}", /element limit/);
  failsQuickly("{{ seq 1 100000000 }}", /element limit/);
});

test("long-running loops hit the step budget", () => {
  failsQuickly("{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}", /steps/);
  failsQuickly("{{ range 100000000000 }}{{ end }}", /steps/);
  failsQuickly("{{ range until 1000 }}{{ end }}", /exceeded 100 steps/, { maxSteps: 100 });
});

test("output is bounded", () => {
  failsQuickly('{{ range until 90000 }}{{ "0123456789abcdef" }}{{ end }}', /output exceeded 1048576 bytes/);
  failsQuickly('{{ printf "%999999d" 1 }}', /over the 1000-byte limit/, { maxOutputBytes: 1000 });
});

test("wall-clock budget", () => {
  failsQuickly('{{ range until 20 }}{{ bcrypt "x" }}{{ end }}', /exceeded 50 ms/, { maxDurationMs: 50 });
});

test("regular expressions cannot backtrack without bound", () => {
  const start = performance.now();
  const evil = `{{ regexMatch "(a+)+$" (printf "%sb" (repeat 40 "a")) }}`;
  let result: string | undefined;
  try {
    result = render(evil);
  } catch (e) {
    assert.ok(e instanceof TemplateError);
  }
  assert.ok(result === undefined || result === "false");
  assert.ok(performance.now() - start < 1_000);
  assert.throws(() => render('{{ mustRegexMatch "(a|aa)*(b)\\\\1" "x" }}'), /error calling mustRegexMatch/);
});

test("error messages carry the position but not the data", () => {
  const cases = [
    "{{ fail .Secrets.password }}",
    "{{ range .Secrets.password }}{{ end }}",
    "{{ if .Secrets.password.x }}{{ end }}",
    "{{ index .Secrets.list 10 }}",
    "{{ eq .Secrets.password 1 }}",
    "{{ .Secrets.password | int | until | len }}",
  ];
  for (const t of cases) {
    try {
      render(t);
    } catch (e) {
      assert.ok(e instanceof TemplateError, t);
      assert.equal(e.reason, "TransformationError");
      assert.ok(!e.message.includes("hunter2"), e.message);
      assert.match(e.message, /^template: t:1:\d+: /);
    }
  }
});

test("absurdly nested templates fail to parse instead of overflowing the stack", () => {
  const deep = `{{ ${"(".repeat(20000)}1${")".repeat(20000)} }}`;
  assert.throws(() => new TemplateSet().parse("t", deep), TemplateError);
  const ifs = `${"{{ if true }}".repeat(20000)}x${"{{ end }}".repeat(20000)}`;
  assert.throws(() => new TemplateSet().parse("t", ifs), TemplateError);
});
