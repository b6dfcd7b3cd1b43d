import assert from "node:assert/strict";
import { test } from "node:test";
import { bcryptHash, bcryptVerify } from "../../../src/template/funcs/bcrypt.ts";
import { adler32 } from "../../../src/template/funcs/crypto.ts";
import {
  checkTemplate,
  TemplateError,
  TemplateSet,
  vaultMap,
  vsoFunctionNames,
} from "../../../src/template/index.ts";

test("a template set holds several templates that can call each other", () => {
  const set = new TemplateSet();
  set.parse("helpers", '{{ define "greet" }}hello {{ . }}{{ end }}');
  set.parse("main", '{{ template "greet" "world" }}');
  assert.equal(set.execute("main", undefined).toString(), "hello world");
  assert.ok(set.has("greet") && set.has("main") && !set.has("other"));
  assert.throws(() => set.execute("other", undefined), TemplateError);
});

test("a later definition replaces an earlier one, but an empty one does not", () => {
  const set = new TemplateSet();
  set.parse("a", '{{ define "x" }}1{{ end }}');
  set.parse("b", '{{ define "x" }}2{{ end }}');
  set.parse("c", '{{ define "x" }} {{ end }}{{ template "x" }}');
  assert.equal(set.execute("c", undefined).toString(), "2");
});

test("output is bytes: invalid UTF-8 built by byte-wise functions survives", () => {
  const set = new TemplateSet();
  set.parse("t", '{{ trunc 1 "é" }}');
  assert.deepEqual([...set.execute("t", undefined)], [0xc3]);
});

test("a map as dot: fields are keys, missing keys print <no value>", () => {
  const set = new TemplateSet();
  set.parse("t", "{{ .a }} {{ .b }} {{ .c.d }}");
  assert.equal(set.execute("t", vaultMap({ a: "x", c: { d: true } })).toString(), "x <no value> true");
});

test("checkTemplate reports parse errors with name and line", () => {
  assert.equal(checkTemplate("ok", "{{ .x }}"), undefined);
  assert.match(checkTemplate("bad", "a\n{{ .x")?.message ?? "", /^template: bad:2: unclosed action$/);
});

test("the function set is exactly VSO's list", () => {
  assert.equal(vsoFunctionNames.length, 179);
  assert.equal(new Set(vsoFunctionNames).size, 179);
  for (const f of vsoFunctionNames)
    assert.equal(checkTemplate("t", `{{ if false }}{{ ${f} }}{{ end }}`), undefined, f);
});

test("bcrypt matches a published vector and verifies what it hashes", () => {
  assert.ok(bcryptVerify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", Buffer.from("U*U")));
  assert.ok(
    !bcryptVerify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", Buffer.from("U*V")),
  );
  const h = bcryptHash(Buffer.from("pw"), 4);
  assert.match(h, /^\$2a\$04\$[./A-Za-z0-9]{53}$/);
  assert.ok(bcryptVerify(h, Buffer.from("pw")));
  assert.throws(() => bcryptHash(Buffer.alloc(73, 1)), /exceeds 72 bytes/);
});

test("adler32 of the Wikipedia example", () => {
  assert.equal(adler32("Wikipedia"), 0x11e60398);
});
