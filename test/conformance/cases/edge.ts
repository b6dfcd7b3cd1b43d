// Edge cases in bulk: float formatting, case conversion across scripts, word splitting, JSON
// escaping, quoting, base64/base32 error positions, paths, durations, layouts, URLs, semver.
import type { ConformanceCase } from "../case.ts";
import { c, many } from "./data.ts";

const floats = [
  "0.1",
  "0.5",
  "1.5",
  "2.5",
  "-2.5",
  "1e-7",
  "123456.789",
  "1e21",
  "1e20",
  "9.999999e-5",
  "0.000123456",
  "3.0",
  "-0.0",
  "5e-324",
  "1.7976931348623157e308",
  "2.675",
  "1.005",
  "0.045",
  "100",
  "1e6",
  "12345678.9",
];
const floatVerbs = ["%v", "%g", "%e", "%.2f", "%.0f", "%8.3e", "%.3g", "%G", "%+.1f", "%.10f"];

const caseInputs = [
  "hello world",
  "Hello World",
  "HTTPServer",
  "getHTTPResponseCode",
  "snake_case_here",
  "kebab-case-here",
  "  leading and trailing  ",
  "multiple   spaces",
  "MixedCASEString",
  "a1b2c3",
  "ID",
  "Ünïcödé wörds",
  "ΣΊΣΥΦΟΣ σίσυφος",
  "çava",
  "x",
  "",
  "already_snake",
  "with.dots.in",
  "émile zola",
  "ǅemal",
  "ß",
  "123abc",
  "abc123DEF",
  "v2Beta3",
  "_leading_underscore",
  "trailing_",
  "--double--dash",
  "UPPER",
  "iPhone",
  "ABCdef",
  "JSONData",
];

export const edgeCases: ConformanceCase[] = [
  ...floats.flatMap((f, i) =>
    many(
      `float-format/${i + 1}`,
      floatVerbs.map((v) => `{{ printf "${v}" ${f.includes(".") || f.includes("e") ? f : `${f}.0`} }}`),
    ),
  ),
  ...floats.map((f, i) =>
    c(
      `float-print/${i + 1}`,
      `{{ ${f.includes(".") || f.includes("e") ? f : `${f}.0`} }} {{ float64 "${f}" }} {{ toJson (float64 "${f}") }}`,
    ),
  ),
  c("json-numbers/1", "{{ . }} {{ toJson .Secrets }}", {
    secrets: '{"a":1e400,"b":-0,"c":1.0,"d":100,"e":1E2,"f":0.1,"g":-12.50e-3,"h":12345678901234567890123}',
  }),
  c(
    "json-numbers/2",
    "{{ add .Secrets.a 1 }} {{ addf .Secrets.c .Secrets.f }} {{ int .Secrets.e }} {{ float64 .Secrets.g }}",
    {
      secrets: '{"a":10,"c":1.0,"e":1E2,"f":0.1,"g":-12.50e-3}',
    },
  ),
  ...caseInputs.map((s, i) =>
    c(
      `case-convert/${i + 1}`,
      `{{ "${s}" | upper }}|{{ "${s}" | lower }}|{{ "${s}" | title }}|{{ "${s}" | untitle }}|{{ "${s}" | swapcase }}`,
    ),
  ),
  ...caseInputs.map((s, i) =>
    c(
      `word-convert/${i + 1}`,
      `{{ "${s}" | camelcase }}|{{ "${s}" | snakecase }}|{{ "${s}" | kebabcase }}|{{ "${s}" | initials }}|{{ "${s}" | nospace }}`,
    ),
  ),
  ...many("wrap-more", [
    '{{ wrap 10 "The quick brown fox jumps over the lazy dog" }}',
    '{{ wrap 1 "a b c" }}',
    '{{ wrap 4 "  leading spaces here" }}',
    '{{ wrapWith 6 "<br>" "The quick brown fox" }}',
    '{{ wrapWith 3 "\\n" "abcdefghij" }}',
    '{{ wrap 20 "short" }}',
    '{{ wrap 5 "日本語のテキスト です" }}',
  ]),
  ...many("abbrev-more", [
    '{{ abbrev 4 "abcdefg" }} {{ abbrev 6 "abcdefg" }} {{ abbrev 7 "abcdefg" }} {{ abbrev 8 "abcdefg" }}',
    '{{ abbrevboth 0 4 "abcdefghijklmno" }} {{ abbrevboth 4 10 "abcdefghijklmno" }} {{ abbrevboth 5 10 "abcdefghijklmno" }} {{ abbrevboth 10 10 "abcdefghijklmno" }} {{ abbrevboth 20 10 "abcdefghijklmno" }}',
    '{{ abbrev 5 "" }}|{{ abbrevboth 1 7 "" }}|',
  ]),
  ...many("quote-more", [
    '{{ quote "\\u0000\\u0007\\u001b\\u007f\\u00a0\\u200b\\u2028\\ufeff" }}',
    '{{ quote "😀 emoji" }} {{ squote "😀" }}',
    '{{ printf "%q %+q %x" "\\u00e9\\U0001F600" "\\u00e9\\U0001F600" "é" }}',
    '{{ printf "%q" (trunc 1 "é") }}',
    '{{ printf "%c%c%c" 0xD800 0x110000 65 }}',
    '{{ printf "%U %#U %q %+q" 0x1F600 0x7f 0x7f 0xe9 }}',
  ]),
  ...many("json-strings", [
    '{{ toJson "\\u0000\\u0008\\u000c\\u001f\\u007f<>&\\u2029" }}',
    '{{ toRawJson "\\u0000<>&\\u2028" }}',
    '{{ toPrettyJson (dict "z" (dict "y" (list 1 (dict "x" nil)))) }}',
    '{{ toJson (trunc 1 "é") }}',
    '{{ toJson (list (float64 "1e-7") (float64 "1e21") (float64 "123456789012345678") 0.5) }}',
    '{{ toJson (until 3) }} {{ toJson (splitList "," "a,b") }} {{ toJson (split "," "a,b") }}',
    '{{ toJson (semver "v2") }} {{ toJson (add 1 2) }} {{ toJson true }}',
  ]),
  ...many("trim-more", [
    '{{ trimAll "äö" "äxöä" }} {{ trimAll "" "  x " }} {{ trimAll " " "" }}|',
    '{{ trim "\\u0085x\\u00a0" }}|{{ trim "\\t\\n x \\r\\v\\f" }}|',
    '{{ nospace "a\\u0085b\\u00a0c" }}|{{ initials "émile zola" }}|{{ initials "a\\u00a0b" }}',
  ]),
  ...many("sort-more", [
    '{{ sortAlpha (list "é" "e" "z" "E" "" "ab" "a") }}',
    "{{ sortAlpha (list 10 9 100 1.5 true) }}",
    '{{ sortAlpha (list "b" nil "a") }}',
  ]),
  ...many("split-more", [
    '{{ splitList ", " "a, b,c, d" }}',
    '{{ splitn "::" 3 "a::b::c::d" }}',
    '{{ splitn "," 1 "a,b" }}',
    '{{ splitList "x" "" }}',
    '{{ split "" "" }}',
    '{{ splitn "" 2 "abc" }}',
  ]),
  ...many("escape-more", [
    '{{ html "\\u0000x" }} {{ js "\\u0000\\u001f\\u007f\\u00a0\\u2028é" }} {{ urlquery "~-_.!*\'()" }}',
    '{{ js (trunc 1 "é") }}|{{ urlquery (trunc 1 "é") }}',
    '{{ html 1 nil "<" }} {{ js (list 1 2) }} {{ urlquery .Secrets.tags }}',
  ]),
  ...many("b64-errors", [
    '{{ b64dec "YQ" }}|{{ b64dec "YQ=" }}|{{ b64dec "YQ==" }}|{{ b64dec "Y===" }}|{{ b64dec "YWJj=" }}',
    '{{ b64dec "YW Jj" }}|{{ b64dec "YW\\r\\nJj" }}|{{ b64dec "YWJjZA==\\n" }}|{{ b64dec "YWJjZA==Z" }}|{{ b64dec "=" }}',
    '{{ b64dec "YWJjZGVmZ2hp" }}|{{ b64dec "YWJjZGVmZ2h*" }}|{{ b64dec "YWJjZGVmZ2hpamtsbW5vcHFy" }}|{{ b64dec "-_-_" }}',
    '{{ b32dec "MFRGGZDFMZTWQ2LK" }}|{{ b32dec "MFRGG" }}|{{ b32dec "MFRGG===" }}|{{ b32dec "mfrgg===" }}|{{ b32dec "MF======" }}|{{ b32dec "M=======" }}',
    '{{ b32dec "MFRGGZDF\\nMZTWQ2LK" }}|{{ b32dec "MFRG=GG=" }}|{{ b32dec "========" }}|',
  ]),
  ...many("path-more", [
    '{{ clean "a/b/../../.." }} {{ clean "/../../" }} {{ clean "a/./b/" }} {{ clean "//a//b//" }} {{ clean "./" }} {{ clean "a/b/c/../../d" }}',
    '{{ base "a/b/c/" }} {{ base "///" }} {{ dir "a" }} {{ dir "/a" }} {{ dir "" }} {{ dir "a/b/c/" }} {{ ext "a/.b" }} {{ ext "a." }}',
  ]),
  ...many("duration-more", [
    '{{ durationRound "1ns" }} {{ durationRound "-1h30m" }} {{ durationRound "31d" }} {{ durationRound "2.5h" }} {{ durationRound "1us" }} {{ durationRound "1µs" }} {{ durationRound ".5h" }} {{ durationRound "5" }}',
    '{{ duration 1 }} {{ duration 59 }} {{ duration 61 }} {{ duration 3599 }} {{ duration 3601 }} {{ duration 359999 }} {{ duration "-5" }} {{ duration "9223372036" }}',
    '{{ durationRound "8760h" }} {{ durationRound "8761h" }} {{ durationRound "720h" }} {{ durationRound "721h" }} {{ durationRound "24h" }} {{ durationRound "25h" }}',
  ]),
  ...many("layout-more", [
    '{{ mustToDate "Jan 2 2006" "Mar 5 2024" }}',
    '{{ mustToDate "02/01/2006 15:04" "15/03/2024 09:05" }}',
    '{{ mustToDate "2006-01-02 3:04PM" "2024-03-15 1:45PM" }}',
    '{{ mustToDate "2006-01-02T15:04:05-0700" "2024-03-15T13:45:30-0700" }}',
    '{{ mustToDate "2006-01-02 MST" "2024-03-15 UTC" }}',
    '{{ (mustToDate "2006-01-02" "2024-03-15").Format "Monday, 02-Jan-06 15:04:05 MST" }}',
    '{{ (mustToDate "2006-01-02T15:04:05Z07:00" "2024-03-15T13:45:30+05:30").Format "2006-01-02T15:04:05Z07:00 -07:00 -0700 Z0700" }}',
    '{{ (mustToDate "2006-01-02T15:04:05.999999999Z" "2024-03-15T13:45:30.000001Z") }}',
    '{{ mustToDate "2006-01-02" "2024-13-01" }}',
  ]),
  ...many("url-more", [
    '{{ urlParse "http://example.com" }}',
    '{{ urlParse "http://example.com/" }}',
    '{{ urlParse "example.com/path" }}',
    '{{ urlParse "HTTPS://EXAMPLE.com/A?B#C" }}',
    '{{ urlParse "http://u@h" }} {{ urlParse "http://:p@h" }}',
    '{{ urlParse "file:///etc/hosts" }}',
    '{{ urlParse "http://h/a%2Fb?q=%20#%41" }}',
    '{{ urlParse "" }}',
    '{{ urlParse "?just=query" }}',
    '{{ urlParse "http://h:port/" }}',
    '{{ urlJoin (dict "scheme" "http" "host" "h" "path" "a/b") }} {{ urlJoin (dict "path" "a:b") }} {{ urlJoin (dict) }}|',
    '{{ urlJoin (dict "scheme" "https" "host" "h" "path" "/é?#" "fragment" "a b#c" "query" "raw query") }}',
  ]),
  ...many("semver-more", [
    '{{ semverCompare ">= 1.2.3" "1.2.3" }} {{ semverCompare "<1.2.3-beta" "1.2.3-alpha" }} {{ semverCompare "^0.0.1" "0.0.2" }} {{ semverCompare "~0.0.1" "0.0.5" }}',
    '{{ semverCompare "1.2.x" "1.2.7" }} {{ semverCompare "1.2.x" "1.3.0" }} {{ semverCompare ">1.x" "2.0.0" }} {{ semverCompare "<=1.x" "1.9.9" }} {{ semverCompare "!=1.x" "2.0.0" }}',
    '{{ semverCompare "~1" "1.9.0" }} {{ semverCompare "~1" "2.0.0" }} {{ semverCompare "^1" "1.0.0-rc1" }} {{ semverCompare ">=1.0.0-0" "1.0.0-rc1" }}',
    '{{ semverCompare "1.0.0 - 2.0.0 || 3.x" "3.5.0" }} {{ semverCompare "1.2.3 2.0.0" "1.2.3" }} {{ semverCompare "v1.2.3" "1.2.3" }}',
    '{{ semver "1.2.3.4" }}',
    '{{ semver "01.2.3" }}',
    '{{ semver "1.2.3-01" }}',
    '{{ (semver "1.2.3-alpha.10").Compare (semver "1.2.3-alpha.9") }} {{ (semver "1.2.3-alpha").Compare (semver "1.2.3-alpha.1") }} {{ (semver "1.0.0+a").Equal (semver "1.0.0+b") }}',
  ]),
  ...many("int-conv-more", [
    '{{ int "  1" }} {{ int "1e3" }} {{ int "-0" }} {{ int "0x" }} {{ int "1__0" }} {{ int "_1" }} {{ int "00" }} {{ int "09" }} {{ int "0o" }} {{ int "10.00" }} {{ int "10.50" }}',
    '{{ int64 1e19 }} {{ int (float64 "nan") }} {{ int -1e30 }} {{ int64 "-9223372036854775808" }} {{ int64 "-9223372036854775809" }}',
    '{{ toDecimal "" }} {{ toDecimal "0o17" }} {{ toDecimal "+17" }} {{ toDecimal 1.5 }} {{ toDecimal true }} {{ toDecimal nil }}',
    '{{ float64 "1e400" }} {{ float64 "-0" }} {{ float64 ".5" }} {{ float64 "5." }} {{ float64 "0x1.8p1" }} {{ float64 "Infinity" }} {{ float64 "nan" }}',
  ]),
  ...many("scope", [
    "{{ $x := 1 }}{{ range .Secrets.tags }}{{ $x := . }}{{ $x }}{{ end }}{{ $x }}",
    "{{ $x := 1 }}{{ range .Secrets.tags }}{{ $x = . }}{{ end }}{{ $x }}",
    "{{ $x := 1 }}{{ with .Secrets.nested }}{{ $x := .host }}{{ end }}{{ $x }}",
    "{{ range $i, $v := .Secrets.tags }}{{ range $j, $w := $.Secrets.tags }}{{ if eq $i $j }}{{ $v }}{{ $w }}{{ end }}{{ end }}{{ end }}",
    '{{ range $k, $v := .Secrets.nested }}{{ if kindIs "map" $v }}{{ range $k2, $v2 := $v }}{{ $k }}.{{ $k2 }}={{ $v2 }} {{ end }}{{ end }}{{ end }}',
    "{{ $i := 0 }}{{ range $i = .Secrets.tags }}{{ end }}{{ $i }}",
    "{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = .Secrets.tags }}{{ end }}{{ $i }}{{ $v }}",
    "{{ range .Secrets.tags }}{{ $ | typeOf }}{{ end }}",
    "{{ with $x := 5 }}{{ $x = 6 }}{{ $x }}{{ end }}",
  ]),
  ...many("merge-more", [
    '{{ $a := dict "x" (dict "y" 1) }}{{ $b := dict "x" (dict "z" 2) }}{{ $_ := merge $a $b }}{{ $a }} {{ $b }}',
    '{{ mergeOverwrite (dict "a" (list 1) "b" (dict "c" 1)) (dict "a" "s" "b" "t") }}',
    '{{ merge (dict "a" (dict)) (dict "a" (dict "b" 1)) (dict "a" (dict "b" 2 "c" 3)) }}',
    '{{ mergeOverwrite (dict "a" 0 "b" false "c" "") (dict "a" 1 "b" true "c" "x" "d" nil) }}',
  ]),
  ...many("misc-more", [
    '{{ list 1 2 | has 1 }} {{ list 1.0 | has 1 }} {{ has "1" (list 1) }} {{ has nil (list nil) }}',
    '{{ uniq (list (list 1) (list 1) (dict "a" 1) (dict "a" 1)) }}',
    '{{ without (list "a" 1 nil) nil 1 }}',
    '{{ pluck "a" (dict "a" nil) (dict "b" 1) }} {{ pick (dict "a" 1) }} {{ omit (dict "a" 1) }}',
    "{{ coalesce }} {{ coalesce nil }}|",
    '{{ default (list 1) (list) }} {{ default "x" "" "y" }}',
    '{{ empty (dict) }} {{ empty (list) }} {{ empty 0.0 }} {{ empty "0" }} {{ empty (semver "1.0.0") }}',
    '{{ ternary (list 1) (dict) (empty "") }}',
    '{{ typeOf (fromJson "{}") }} {{ typeOf (fromJson "[]") }} {{ typeOf (fromJson "1") }} {{ typeOf (fromJson "true") }} {{ typeOf (fromJson "null") }}',
    '{{ deepEqual (fromJson "1") 1.0 }} {{ deepEqual (list) (list) }} {{ deepEqual (dict) .Secrets.emptyMap }} {{ deepEqual .Secrets.port "5432" }}',
    '{{ kindOf (split "," "a") }} {{ kindOf (until 1) }} {{ kindOf (index "a" 0) }} {{ typeOf (mustToDate "2006" "2020") }} {{ kindOf (mustToDate "2006" "2020") }}',
    "{{ len (list 1 2) | add1 | mul 3 | sub 100 | div 1000 | mod 7 }}",
    '{{ add1f "1.5" }} {{ add1f .Secrets.port }} {{ subf 10 1 2 3 }} {{ mulf 1.1 1.1 }} {{ divf 1 3 }} {{ divf 2 3 }} {{ divf 10 4 }}',
    '{{ round 0.5 0 }} {{ round 1.45 1 }} {{ round -1.45 1 }} {{ round 1234.5678 -2 }} {{ round "2.345" 2 }}',
    "{{ max }}",
    '{{ maxf (float64 "nan") 1 }} {{ minf 0.0 -0.0 }} {{ maxf -0.0 0.0 }}',
  ]),
];

export const regexEdgeCases: ConformanceCase[] = many("regex-more", [
  '{{ regexMatch "(?i:ab)c" "ABc" }} {{ regexMatch "(?i:ab)c" "ABC" }} {{ regexFind "(?s)a.b" "a\\nb" }} {{ regexFind "a.b" "a\\nb" }}|',
  '{{ regexFindAll "(?m)^\\\\w+" "one\\ntwo\\nthree" -1 }} {{ regexFindAll "\\\\b\\\\w" "hello big world" -1 }}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Go regexp replacement syntax
  '{{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "${last}, ${first}" }}',
  '{{ regexReplaceAll "[^a-z]" "a1b2-c_" "" }} {{ regexReplaceAll "\\\\s" "a b\\tc\\u00a0d" "_" }} {{ regexFindAll "\\\\S+" "a  b\\u00a0c" -1 }}',
  '{{ regexSplit "\\\\s*,\\\\s*" "a , b,c ,d" -1 }} {{ regexSplit "(a)" "bab" -1 }} {{ regexSplit "" "" -1 }}|',
  '{{ regexFind "[[:alpha:]]+[[:space:]]" "123 abc def" }}|{{ regexFind "[[:upper:][:digit:]]+" "abC1Dx" }}',
  '{{ regexFind "x{2,}" "xxxxx" }} {{ regexFind "x{2}?" "xxxx" }} {{ regexFind "x*?y" "xxy" }} {{ regexFind "(?U)x+" "xxx" }}',
  '{{ regexFind "\\\\Qa.b\\\\E" "axb a.b" }} {{ regexQuoteMeta "\\\\Q$^" }} {{ regexMatch "\\\\x41" "A" }} {{ regexMatch "\\\\101" "A" }}',
  '{{ regexMatch "a(?=b)" "ab" }}',
  '{{ regexMatch "(a)\\\\1" "aa" }}',
  '{{ regexFindAll "é|日" "日é" -1 }} {{ regexReplaceAll "." "日本" "x" }} {{ regexReplaceAllLiteral "$" "ab" "$1" }}',
  '{{ regexFind "[^\\\\d\\\\s]+" "12 ab 3" }} {{ regexFind "[\\\\w.-]+@[\\\\w.-]+" "mail me@ex.co now" }}',
]);

export const keyEdgeCases: ConformanceCase[] = many(
  "keys",
  [
    "{{ .Secrets.my-key }}",
    '{{ index .Secrets "my-key" }} {{ index .Secrets "a.b" }} {{ index .Secrets "ключ" }}',
    "{{ .Secrets.ключ }} {{ .Secrets._under }} {{ .Secrets.x2 }}",
    "{{ .Secrets.2fa }}",
    '{{ index .Secrets "2fa" }}',
    "{{ .Secrets.MixedCase }} {{ .Secrets.mixedcase }}",
    "{{ range $k, $v := . }}{{ $k }}{{ end }}",
    "{{ range $k, $v := .Secrets }}{{ $k }}={{ $v }};{{ end }}",
    "{{ .Secrets }}",
    "{{ toJson .Secrets }}",
  ],
  {
    secrets:
      '{"my-key":"dash","a.b":"dot","ключ":"cyr","_under":"u","x2":"x","2fa":"digit","MixedCase":"M","mixedcase":"m","Zeta":1,"alpha":2,"é":3,"":"empty-key"}',
  },
);

// Found by comparing random printf calls with Go: nil inside containers under other verbs, fmt's
// view of a *semver.Version for non-Stringer verbs, and %b of floats.
export const fmtEdgeCases: ConformanceCase[] = many("fmt-edge", [
  '{{ printf "%d|%q|%x" .Secrets.nested.list .Secrets.nested.list (list nil 1) }}',
  '{{ printf "%d|%#v|%+v|%x|%5.1f" (semver "1.2.3-rc+b") (semver "1.2.3") (semver "v1") (semver "1.2.3") (semver "1.2.3") }}',
  '{{ printf "%b|%b|%b|%b" 3.5 -0.001 0.0 5e-324 }}',
  '{{ printf "%v|%s" (list (semver "1.0.0")) (dict "v" (semver "2.0.0")) }}',
]);
