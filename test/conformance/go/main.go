// Command conformance renders Keyport's template conformance cases with Go's text/template and
// the sprig functions VSO v1.4.1 allows, and writes what Go produced (or that it failed) so
// Keyport's engine can be compared with it byte for byte.
//
// Usage: go run . <cases.json> <expected.json>
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"

	"keyport.local/conformance/helpers"
)

// vsoFunctionNames is the allowlist VSO v1.4.1 builds its function map from (template/funcs.go).
var vsoFunctionNames = []string{
	"abbrev", "abbrevboth", "add", "add1", "add1f", "addf", "adler32sum", "ago", "all", "any",
	"append", "atoi", "b32dec", "b32enc", "b64dec", "b64enc", "base", "bcrypt", "biggest",
	"buildCustomCert", "camelcase", "cat", "ceil", "chunk", "clean", "coalesce", "compact", "concat",
	"contains", "deepCopy", "deepEqual", "default", "dict", "dig", "dir", "div", "divf", "duration",
	"durationRound", "empty", "ext", "fail", "first", "float64", "floor", "fromJson", "get", "has",
	"hasKey", "hasPrefix", "hasSuffix", "htpasswd", "indent", "initial", "initials", "int", "int64",
	"isAbs", "join", "kebabcase", "keys", "kindIs", "kindOf", "last", "list", "lower", "max", "maxf",
	"merge", "mergeOverwrite", "min", "minf", "mod", "mul", "mulf", "mustAppend", "mustChunk",
	"mustCompact", "mustDeepCopy", "mustFirst", "mustFromJson", "mustHas", "mustInitial", "mustLast",
	"mustMerge", "mustMergeOverwrite", "mustPrepend", "mustPush", "mustRegexFind", "mustRegexFindAll",
	"mustRegexMatch", "mustRegexReplaceAll", "mustRegexReplaceAllLiteral", "mustRegexSplit",
	"mustRest", "mustReverse", "mustSlice", "mustToDate", "mustToJson", "mustToPrettyJson",
	"mustToRawJson", "mustUniq", "mustWithout", "nindent", "nospace", "omit", "osBase", "osClean",
	"osDir", "osExt", "osIsAbs", "pick", "pluck", "plural", "prepend", "push", "quote", "randInt",
	"regexFind", "regexFindAll", "regexMatch", "regexQuoteMeta", "regexReplaceAll",
	"regexReplaceAllLiteral", "regexSplit", "repeat", "replace", "rest", "reverse", "round", "semver",
	"semverCompare", "seq", "set", "sha1sum", "sha256sum", "sha512sum", "shuffle", "slice",
	"snakecase", "sortAlpha", "split", "splitList", "splitn", "squote", "sub", "subf", "substr",
	"swapcase", "ternary", "title", "toDecimal", "toJson", "toPrettyJson", "toRawJson", "toString",
	"toStrings", "trim", "trimAll", "trimPrefix", "trimSuffix", "trimall", "trunc", "tuple", "typeIs",
	"typeIsLike", "typeOf", "uniq", "unset", "until", "untilStep", "untitle", "upper", "urlJoin",
	"urlParse", "values", "without", "wrap", "wrapWith",
}

type source struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

type testCase struct {
	Name        string            `json:"name"`
	Template    string            `json:"template"`
	Sources     []source          `json:"sources,omitempty"`
	Secrets     string            `json:"secrets,omitempty"`
	Metadata    string            `json:"metadata,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

type result struct {
	Output       *string `json:"output,omitempty"`
	OutputBase64 *string `json:"outputBase64,omitempty"`
	Error        *string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: conformance <cases.json> <expected.json>")
		os.Exit(2)
	}
	// VSO runs in a container without a time zone; mustToDate parses in time.Local.
	time.Local = time.UTC

	funcs := template.FuncMap{}
	all := sprig.HermeticTxtFuncMap()
	for _, name := range vsoFunctionNames {
		f, ok := all[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "sprig has no function %q\n", name)
			os.Exit(1)
		}
		funcs[name] = f
	}

	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	var file struct {
		Fixtures map[string]string `json:"fixtures"`
		Cases    []testCase        `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		fail(err)
	}
	cases := file.Cases
	for i := range cases {
		cases[i].Secrets = resolveFixture(cases[i].Secrets, file.Fixtures)
		cases[i].Metadata = resolveFixture(cases[i].Metadata, file.Fixtures)
	}

	results := map[string]result{}
	for _, c := range cases {
		if _, dup := results[c.Name]; dup {
			fail(fmt.Errorf("duplicate case name %q", c.Name))
		}
		results[c.Name] = render(funcs, c)
	}

	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	var out bytes.Buffer
	out.WriteString("{\n")
	for i, n := range names {
		k := marshalNoEscape(n)
		v := marshalNoEscape(results[n])
		out.Write(k)
		out.WriteString(": ")
		out.Write(v)
		if i < len(names)-1 {
			out.WriteString(",")
		}
		out.WriteString("\n")
	}
	out.WriteString("}\n")
	if err := os.WriteFile(os.Args[2], out.Bytes(), 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// decodeVaultJSON decodes like the Vault API client does: numbers stay json.Number.
func decodeVaultJSON(raw string) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func toAnyMap(m map[string]string) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func render(funcs template.FuncMap, c testCase) (res result) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("panic: %v", r)
			res = result{Error: &msg}
		}
	}()
	errorResult := func(err error) result {
		msg := err.Error()
		return result{Error: &msg}
	}
	secrets, err := decodeVaultJSON(c.Secrets)
	if err != nil {
		return errorResult(err)
	}
	if secrets == nil {
		secrets = map[string]any{}
	}
	metadata, err := decodeVaultJSON(c.Metadata)
	if err != nil {
		return errorResult(err)
	}
	if metadata == nil {
		metadata = map[string]any{}
	}
	input := &helpers.SecretInput{
		Secrets:     secrets,
		Metadata:    metadata,
		Annotations: toAnyMap(c.Annotations),
		Labels:      toAnyMap(c.Labels),
	}

	// As VSO does: one template set, source templates first, then the rendered one.
	set := template.New("").Funcs(funcs)
	for _, s := range c.Sources {
		if _, err := set.New(s.Name).Parse(s.Text); err != nil {
			return errorResult(err)
		}
	}
	if _, err := set.New("case").Parse(c.Template); err != nil {
		return errorResult(err)
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, "case", input); err != nil {
		return errorResult(err)
	}
	s := buf.String()
	if utf8.ValidString(s) {
		return result{Output: &s}
	}
	b := base64.StdEncoding.EncodeToString(buf.Bytes())
	return result{OutputBase64: &b}
}

// marshalNoEscape keeps <, > and & readable in the checked-in file.
func marshalNoEscape(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fail(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// resolveFixture replaces an "@name" reference with the shared fixture text.
func resolveFixture(v string, fixtures map[string]string) string {
	if !strings.HasPrefix(v, "@") {
		return v
	}
	text, ok := fixtures[v[1:]]
	if !ok {
		fail(fmt.Errorf("unknown fixture %s", v))
	}
	return text
}
