// Encoding, hashing, bcrypt, certificates, paths, regular expressions, semver, dates, URLs.
import type { ConformanceCase } from "../case.ts";
import { c, many } from "./data.ts";

// A throwaway self-signed certificate and key made for these tests only (openssl, P-256).
const certPem = `-----BEGIN CERTIFICATE-----
MIIBkDCCATegAwIBAgIUPjDnoYFSMhxdD3wLqh8V35WHXbYwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTa2V5cG9ydC1jb25mb3JtYW5jZTAeFw0yNjExMjIyMzAzNDNa
Fw0zNjExMTkyMzAzNDNaMB4xHDAaBgNVBAMME2tleXBvcnQtY29uZm9ybWFuY2Uw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARzuUT0Rat2qOtR3RXfPFM+uwagw/R2
1C3qepaat/ZI1WkBeD85lUqxL4ek3RKjTyKw88VMp8zSBZFfKZ3d6fT3o1MwUTAd
BgNVHQ4EFgQUI+e5xqJNLPMzS6YGg2HdU/Z6WmswHwYDVR0jBBgwFoAUI+e5xqJN
LPMzS6YGg2HdU/Z6WmswDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE
AiACo9Gx4myvouxUa2hzLhtJ/0Eh/HVvpyUGlTy6wD3mewIgGjg6fjx2ZgskzAJz
FPa9C/2UF/cYPn0B47NS+/biFIk=
-----END CERTIFICATE-----
`;
const keyPkcs8 = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggmWG88YRis1+p6Yf
K+RL6QSAm38E+wFi1p/FddZhQbmhRANCAARzuUT0Rat2qOtR3RXfPFM+uwagw/R2
1C3qepaat/ZI1WkBeD85lUqxL4ek3RKjTyKw88VMp8zSBZFfKZ3d6fT3
-----END PRIVATE KEY-----
`;
const keyEc = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIIJlhvPGEYrNfqemHyvkS+kEgJt/BPsBYtafxXXWYUG5oAoGCCqGSM49
AwEHoUQDQgAEc7lE9EWrdqjrUd0V3zxTPrsGoMP0dtQt6nqWmrf2SNVpAXg/OZVK
sS+HpN0So08isPPFTKfM0gWRXymd3en09w==
-----END EC PRIVATE KEY-----
`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

export const miscCases: ConformanceCase[] = [
  ...many("base64", [
    '{{ b64enc "hello" }} {{ b64enc "" }}| {{ b64enc "é" }}',
    '{{ b64dec "aGVsbG8=" }} {{ b64dec "aGVsbG8" }} {{ b64dec "!!!" }} {{ b64dec "aGVs\\nbG8=" }}',
    '{{ b64dec "aGVsbA==x" }} {{ b64dec "a" }} {{ b64dec "aGVsbG8=aGVsbG8=" }}',
    "{{ .Secrets.password | b64enc | b64dec }}",
    '{{ b32enc "hello" }} {{ b32enc "" }}| {{ b32enc "a" }} {{ b32enc "abcde" }}',
    '{{ b32dec "NBSWY3DP" }} {{ b32dec "ME======" }} {{ b32dec "bad!" }} {{ b32dec "MFRGG===" }} {{ b32dec "ME=====" }}',
    '{{ b64dec "/w==" | printf "%q" }}',
  ]),
  ...many("hash", [
    '{{ sha1sum "hello" }} {{ sha256sum "hello" }}',
    '{{ sha512sum "hello" }}',
    '{{ adler32sum "hello" }} {{ adler32sum "" }} {{ adler32sum "Wikipedia" }}',
    "{{ .Secrets.password | sha256sum }}",
    '{{ sha256sum "日本" }}',
  ]),
  c("bcrypt/1", '{{ bcrypt "s3cr3t" }}', { check: { kind: "bcrypt", password: "s3cr3t" } }),
  c("bcrypt/2", "{{ .Secrets.password | bcrypt }}", { check: { kind: "bcrypt", password: "s3cr3t!&<>" } }),
  c("bcrypt/too-long", `{{ bcrypt "${"x".repeat(73)}" }}`),
  c("htpasswd/1", '{{ htpasswd "alice" "pw" }}', {
    check: { kind: "htpasswd", user: "alice", password: "pw" },
  }),
  c("htpasswd/invalid-user", '{{ htpasswd "a:b" "pw" }}'),
  ...many("buildCustomCert", [
    `{{ $c := buildCustomCert "${b64(certPem)}" "bm90LWEta2V5" }}{{ $c.Cert }}`,
    `{{ $c := buildCustomCert "${b64(certPem)}" "${b64(keyPkcs8)}" }}{{ $c.Cert }}{{ $c.Key }}{{ typeOf $c }}`,
    `{{ $c := buildCustomCert "${b64(certPem)}" "${b64(keyEc)}" }}{{ $c.Key | sha256sum }} {{ $c | toJson | len }}`,
    `{{ buildCustomCert "${b64(certPem)}" "${b64(keyEc)}" | printf "%v" | len }}`,
    '{{ buildCustomCert "!!" "x" }}',
    '{{ buildCustomCert "aGVsbG8=" "aGVsbG8=" }}',
  ]),
  ...many("path", [
    '{{ base "/a/b/c.txt" }} {{ base "/" }} {{ base "" }} {{ base "a/b/" }} {{ osBase "/x/y" }}',
    '{{ dir "/a/b/c.txt" }} {{ dir "c.txt" }} {{ dir "/" }} {{ dir "a//b/" }} {{ osDir "/x/y" }}',
    '{{ clean "/a/../b/./c//" }} {{ clean "" }} {{ clean "../../a" }} {{ clean "a/.." }} {{ osClean "/../x" }}',
    '{{ ext "a/b.tar.gz" }} {{ ext "noext" }} {{ ext "a.b/c" }} {{ osExt ".bashrc" }}',
    '{{ isAbs "/a" }} {{ isAbs "a" }} {{ osIsAbs "/" }} {{ osIsAbs "" }}',
  ]),
  ...many("regex", [
    '{{ regexMatch "^[a-z]+$" "hello" }} {{ regexMatch "^[a-z]+$" "Hello" }} {{ regexMatch "(" "x" }}',
    '{{ mustRegexMatch "(" "x" }}',
    '{{ regexFind "[0-9]+" "abc123def456" }} {{ regexFind "z" "abc" }}| {{ mustRegexFind "b+" "abbbc" }}',
    '{{ regexFindAll "[0-9]+" "a1b22c333" -1 }} {{ regexFindAll "[0-9]+" "a1b22c333" 2 }} {{ regexFindAll "x" "abc" -1 }} {{ mustRegexFindAll "a*" "baaac" -1 }}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go regexp replacement syntax
    '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAll "(?P<n>b+)" "abbbc" "[$n]" }}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go regexp replacement syntax
    '{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }} {{ mustRegexReplaceAllLiteral "\\\\d" "a1b2" "#" }}',
    '{{ regexReplaceAll "x*" "abc" "-" }} {{ mustRegexReplaceAll "\\\\s+" "a  b\\tc" "_" }}',
    '{{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }} {{ regexSplit "" "abc" -1 }} {{ mustRegexSplit "," "a,b,c" 2 }} {{ regexSplit "x" "" -1 }}',
    '{{ regexQuoteMeta "1.5+[x]" }}',
    '{{ regexMatch "(?i)^ADMIN$" .Secrets.username }} {{ regexFind "\\\\pL+" "123héllo" }} {{ regexReplaceAll "(?m)^" "a\\nb" "> " }}',
    '{{ regexFind "[[:digit:]]+" "ab42" }} {{ regexFind "\\\\d{2,3}" "a12345" }} {{ regexFind "^\\\\w+@\\\\w+\\\\.com$" "me@ex.com" }}',
    '{{ regexFindAll "." "日本" -1 }} {{ regexReplaceAll "[aeiou]" .Secrets.unicode "_" }}',
    '{{ regexFindAll "(a|ab)(c|bcd)" "abcd" -1 }} {{ regexReplaceAll "$" "abc" "!" }} {{ regexReplaceAll "^" "abc" "!" }}',
    '{{ regexFind "a\\\\z" "a\\n" }}| {{ regexFind "a$" "a\\n" }}| {{ regexFind "\\\\Aab" "ab" }}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go regexp replacement syntax
    '{{ regexReplaceAll "(b)" "abc" "$$1 $2 ${1}x $1x" }}',
    '{{ regexFindAll "a" "aaaa" 0 }} {{ regexSplit "a" "bab" 0 }}',
  ]),
  ...many("semver", [
    '{{ semver "1.2.3" }} {{ (semver "v1.2").Major }} {{ (semver "1.2.3-beta.1+build").Prerelease }} {{ (semver "1.2.3+build").Metadata }}',
    '{{ (semver "1.2.3").Minor }} {{ (semver "1.2.3").Patch }} {{ (semver "v1.2.3").Original }} {{ (semver "1").String }}',
    '{{ semver "not-a-version" }}',
    '{{ semverCompare ">=1.2.0" "1.3.0" }} {{ semverCompare "<1.0" "1.3.0" }} {{ semverCompare "~1.2" "1.2.9" }} {{ semverCompare "~1.2" "1.3.0" }}',
    '{{ semverCompare "^1.2.3" "1.9.0" }} {{ semverCompare "^1.2.3" "2.0.0" }} {{ semverCompare "^0.2.3" "0.2.9" }} {{ semverCompare "^0.2.3" "0.3.0" }}',
    '{{ semverCompare "1.x" "1.5.0" }} {{ semverCompare "*" "3.0.0" }} {{ semverCompare ">1.0.0-alpha" "1.0.0-beta" }} {{ semverCompare ">=1.0" "1.1.0-beta" }}',
    '{{ semverCompare "1.1 - 1.3" "1.2.5" }} {{ semverCompare "<1.0 || >=2.0" "2.1.0" }} {{ semverCompare ">=1.0, <2.0" "1.5.0" }} {{ semverCompare "!=1.2.3" "1.2.3" }}',
    '{{ semverCompare "bad constraint!" "1.0.0" }}',
    '{{ semverCompare ">1" "x" }}',
    '{{ (semver "1.2.3").LessThan (semver "1.3.0") }} {{ (semver "2.0.0").Compare (semver "1.0.0") }}',
    '{{ semverCompare "=1.2.3" "1.2.3" }} {{ semverCompare "<=1.2" "1.2.9" }} {{ semverCompare ">1.2" "1.2.9" }} {{ semverCompare ">1.2" "1.3.0" }} {{ semverCompare "~>1.2.3" "1.2.5" }}',
  ]),
  ...many("dates", [
    '{{ duration 95 }} {{ duration "3600" }} {{ duration "x" }} {{ duration 0 }} {{ duration (int64 86400) }} {{ duration (int64 -61) }}',
    "{{ duration .Secrets.port }}",
    '{{ durationRound "2h10m" }} {{ durationRound "90s" }} {{ durationRound (int64 3600000000000) }} {{ durationRound "400h" }} {{ durationRound "9000h" }} {{ durationRound "x" }} {{ durationRound "-3h" }} {{ durationRound 5 }}',
    '{{ durationRound "1h" }} {{ durationRound "1.5s" }} {{ durationRound "1m0.5s" }} {{ durationRound "800ms" }}',
    '{{ ago "not a time" }}',
    '{{ mustToDate "2006-01-02" "2024-03-15" }}',
    '{{ (mustToDate "2006-01-02 15:04:05" "2024-03-15 13:45:30").Unix }}',
    '{{ mustToDate "2006-01-02T15:04:05Z07:00" "2024-03-15T13:45:30+02:00" }}',
    '{{ mustToDate "2006-01-02T15:04:05Z07:00" "2024-03-15T13:45:30Z" }}',
    '{{ mustToDate "2006-01-02" "15/03/2024" }}',
    '{{ (mustToDate "2006-01-02" "2024-02-29").Format "Jan 2, 2006 (Monday) 03:04PM" }}',
    '{{ (mustToDate "2006-01-02T15:04:05.000Z" "2024-03-15T13:45:30.120Z").Format "15:04:05.000 .999 2006-01-02T15:04:05Z07:00" }}',
    '{{ mustToDate "2006-01-02" "2023-02-29" }}',
    '{{ (mustToDate "2006-01-02" "2024-03-15").Year }}',
  ]),
  ...many("url", [
    '{{ urlParse "https://user:p%40ss@example.com:8443/a/b%20c?x=1&y=2#frag" }}',
    "{{ (urlParse .Secrets.url).hostname }} {{ (urlParse .Secrets.url).path }} {{ (urlParse .Secrets.url).userinfo }}",
    '{{ urlParse "mailto:me@example.com" }}',
    '{{ urlParse "/relative/path?q" }}',
    '{{ urlParse "http://[::1]:80/x" }}',
    '{{ urlParse "://bad" }}',
    '{{ urlParse "http://host/%zz" }}',
    '{{ urlJoin (dict "scheme" "https" "host" "example.com:8080" "path" "/a b" "query" "x=1" "fragment" "f g") }}',
    '{{ urlJoin (dict "scheme" "https" "host" "h" "userinfo" "u:p@ss") }}',
    '{{ urlJoin (dict "host" "h" "path" "p") }}',
    '{{ urlJoin (dict "scheme" "mailto" "opaque" "me@x.com") }}',
    '{{ urlJoin (dict "host" 1) }}',
    "{{ urlParse .Secrets.url | urlJoin }}",
  ]),
];
