// sprig's number functions: conversions (spf13/cast rules), integer and decimal arithmetic.
import type { ConformanceCase } from "../case.ts";
import { c, many } from "./data.ts";

export const numberCases: ConformanceCase[] = [
  ...many("atoi", [
    '{{ atoi "42" }} {{ atoi "-7" }} {{ atoi "x" }} {{ atoi "" }} {{ atoi "1.5" }} {{ atoi "+3" }}',
    '{{ atoi " 4" }} {{ atoi "0x10" }}',
  ]),
  ...many("int", [
    '{{ int "42" }} {{ int "0x1F" }} {{ int "017" }} {{ int "1.0" }} {{ int "1.5" }} {{ int "abc" }} {{ int 3.9 }} {{ int -3.9 }} {{ int true }} {{ int nil }}',
    "{{ int .Secrets.port }} {{ int .Secrets.ratio }} {{ int .Secrets.numStr }} {{ int .Secrets.floatStr }} {{ int .Secrets.exp }} {{ int .Secrets.decimal }}",
    '{{ int64 .Secrets.port | typeOf }} {{ int .Secrets.port | typeOf }} {{ int64 "9223372036854775807" }}',
    '{{ int64 "9223372036854775808" }} {{ int "1_000" }} {{ int "0b11" }}',
    "{{ int .Secrets.big }} {{ int .Secrets.missing }} {{ int .Secrets.tags }}",
  ]),
  ...many("float64", [
    '{{ float64 "3.5" }} {{ float64 "1e3" }} {{ float64 "x" }} {{ float64 1 }} {{ float64 true }}',
    "{{ float64 .Secrets.ratio }} {{ float64 .Secrets.port }} {{ float64 .Secrets.big }} {{ float64 .Secrets.decimal }}",
    "{{ float64 .Secrets.floatStr | typeOf }}",
    '{{ float64 "0x1p-2" }} {{ float64 "inf" }} {{ float64 "1_0" }}',
  ]),
  ...many("seq", [
    "{{ seq 5 }}",
    "{{ seq -3 }}",
    "{{ seq 2 5 }}",
    "{{ seq 5 2 }}",
    "{{ seq 0 2 10 }}",
    "{{ seq 10 -3 1 }}",
    "{{ seq 1 -1 5 }}",
    "{{ seq }}|",
    "{{ seq 1 2 3 4 }}|",
    "{{ seq 0 }}",
  ]),
  ...many("toDecimal", [
    '{{ toDecimal "0777" }} {{ toDecimal "777" }} {{ toDecimal "8" }} {{ toDecimal 17 }} {{ toDecimal "-10" }}',
    "{{ toDecimal .Secrets.port }}",
  ]),
  ...many("until", [
    "{{ until 5 }}",
    "{{ until -3 }}",
    "{{ until 0 }}",
    "{{ untilStep 0 10 3 }}",
    "{{ untilStep 10 0 -4 }}",
    "{{ untilStep 0 10 0 }}",
    "{{ untilStep 5 0 1 }}",
    "{{ until .Secrets.port }}",
  ]),
  ...many("arith", [
    "{{ add1 5 }} {{ add 1 2 3 }} {{ add }} {{ sub 10 3 }} {{ div 10 3 }} {{ mod 10 3 }} {{ mul 2 3 4 }}",
    '{{ add "1" 2.9 .Secrets.port true nil }}',
    "{{ div -7 2 }} {{ mod -7 2 }}",
    "{{ div 1 0 }}",
    "{{ mod 1 0 }}",
    "{{ add 9223372036854775807 1 }}",
    "{{ mul 4294967296 4294967296 }}",
    "{{ add1 .Secrets.port }} {{ sub .Secrets.port .Secrets.neg }} {{ mul .Secrets.numStr 2 }}",
    '{{ add 1 2 | typeOf }} {{ len "ab" | typeOf }}',
    '{{ max 1 5 3 }} {{ min 4 2 8 }} {{ biggest 1 2 }} {{ max .Secrets.port 10 }} {{ min "7" 9 }}',
    "{{ maxf 1.5 2.5 0.5 }} {{ minf 1.5 -2.5 }} {{ maxf .Secrets.ratio 0.5 }} {{ minf 3 }}",
  ]),
  ...many("float-arith", [
    "{{ addf 0.1 0.2 }} {{ subf 1.5 0.25 }} {{ mulf 0.1 3 }} {{ divf 10 3 }} {{ add1f 1.5 }}",
    "{{ addf }} {{ addf 1 }} {{ mulf 2 }} {{ divf 1 4 }} {{ subf 1 }}",
    "{{ divf 1 0 }}",
    "{{ divf 2 3 }} {{ divf -2 3 }} {{ divf 1 3 3 }}",
    "{{ addf .Secrets.ratio .Secrets.decimal }} {{ mulf .Secrets.floatStr 2 }}",
    "{{ addf 1e20 1 }} {{ mulf 123456789.123 1000 }} {{ addf 0.000001 0.000002 }}",
    "{{ addf 1 2 | typeOf }}",
  ]),
  ...many("round", [
    '{{ ceil 1.2 }} {{ ceil -1.2 }} {{ floor 1.8 }} {{ floor -1.8 }} {{ ceil "2.1" }} {{ floor .Secrets.ratio }}',
    "{{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round -2.5 0 }} {{ round 1.255 2 }} {{ round 1.5 0 0.6 }} {{ round 123.456 -1 }}",
    "{{ round .Secrets.ratio 1 }}",
    "{{ ceil -0.5 }}",
  ]),
  c("randInt/1", "{{ randInt 5 10 }}", { check: { kind: "intRange", min: 5, max: 10 } }),
  c("randInt/2", "{{ randInt 5 5 }}"),
];
