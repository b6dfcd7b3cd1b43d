// promql-names reads PromQL expressions (one JSON string per line) and prints, per expression, the
// metric names its selectors use — or Prometheus's own parse error. Built from the Go module proxy
// by build.sh; test/integration/ship/metrics-catalog.test.ts runs it over the dashboard and alerts.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	out := json.NewEncoder(os.Stdout)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		var expr string
		if err := json.Unmarshal(in.Bytes(), &expr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		res := map[string]any{"expr": expr}
		e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
		if err != nil {
			res["error"] = err.Error()
		} else {
			names := []string{}
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok {
					names = append(names, vs.Name)
				}
				return nil
			})
			res["names"] = names
		}
		_ = out.Encode(res)
	}
}
