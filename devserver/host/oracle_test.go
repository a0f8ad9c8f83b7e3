package host

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/oracle"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// oracleApp loads the project in dir with the embedded runtime and serves it.
func oracleApp(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	app, err := New(Options{Root: dir, Env: map[string]string{"NODE_ENV": "development"}, TaskTimeout: 10 * time.Second,
		RequestTimeout: 30 * time.Second, Output: &testutil.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	if res := app.Load(context.Background()); !res.Success {
		t.Fatalf("embedded load: %+v", res.Errors)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "oracle", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, b)
	}
	return out
}

func decodeJSON(t *testing.T, what string, b []byte) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v: %s", what, err, b)
	}
	return out
}

// runCases pairs scenario outcomes ({name: [run, …]}) of both sides into cases, one per run.
func runCases(t *testing.T, medusa, embedded map[string]any) []oracle.Case {
	t.Helper()
	names := make([]string, 0, len(medusa))
	for name := range medusa {
		names = append(names, name)
	}
	sort.Strings(names)
	var cases []oracle.Case
	for _, name := range names {
		m, _ := medusa[name].([]any)
		e, _ := embedded[name].([]any)
		if len(e) != len(m) {
			cases = append(cases, oracle.Case{Name: name, Medusa: m, Embedded: e})
			continue
		}
		for i := range m {
			cases = append(cases, oracle.Case{Name: fmt.Sprintf("%s#%d", name, i), Medusa: m[i], Embedded: e[i]})
		}
	}
	return cases
}

// TestWorkflowsMatchMedusa runs the scenarios of testdata/oracle/workflows.js through the
// embedded workflows SDK and through Medusa's own (@medusajs/workflows-sdk and its transaction
// orchestrator) and compares the trail of invokes and compensations, state, result, errors
// and what run() threw.
func TestWorkflowsMatchMedusa(t *testing.T) {
	dir := oracle.Project(t, map[string]string{
		"medusa-config.js":           "module.exports = { projectConfig: { http: {} } }\n",
		"src/workflows/oracle.js":    readTestdata(t, "workflows.js"),
		"run-workflows.js":           readTestdata(t, "run-workflows.js"),
		"src/api/oracle/wf/route.js": "const { run } = require(\"../../../workflows/oracle\")\nexports.GET = async (req, res) => { res.json(await run(req.scope)) }\n",
	})
	medusa := decodeJSON(t, "node", oracle.Node(t, dir, "run-workflows.js", filepath.Join(dir, "src/workflows/oracle.js")))
	srv := oracleApp(t, dir)
	embedded := getJSON(t, srv.URL+"/oracle/wf")
	oracle.Compare(t, runCases(t, medusa, embedded), nil)
}
