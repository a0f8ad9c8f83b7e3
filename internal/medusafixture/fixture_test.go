//go:build unix

package medusafixture_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// The fixture's contract, on Medusa itself (no medusa-ls): what a real project has answers as
// a real project's would, with the seeded key and admin user.
func TestFixtureOnMedusa(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Medusa")
	}
	root := medusafixture.ForTest(t, nil)
	seed := medusafixture.Seeded(t)
	port := testutil.FreePort(t)
	var out testutil.Buffer
	cmd := exec.Command("node", "node_modules/@medusajs/cli/cli.js", "start")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NODE_ENV=development", fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testutil.Eventually(t, 3*time.Minute, func() string { // an HTTP answer: nothing to wait on
		if resp, err := http.Get(base + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return ""
			}
		}
		return "Medusa did not start:\n" + out.String()
	})
	token := medusafixture.AdminToken(t, base)
	store := map[string]string{"x-publishable-api-key": seed.PublishableKey}
	admin := map[string]string{"authorization": "Bearer " + token}
	for _, c := range []struct {
		method, path string
		headers      map[string]string
		body         string
		status       int
		want         string
	}{
		{"GET", "/hello", nil, "", 200, `{"v":1}`},
		{"GET", "/store/products?handle=" + seed.ProductHandle, store, "", 200, seed.ProductID},
		{"GET", "/store/products", nil, "", 400, "x-publishable-api-key"},
		{"GET", "/store/brands", store, "", 200, `"name":"Acme"`},
		{"GET", "/admin/brands?order=created_at&limit=1", admin, "", 200, seed.ProductID}, // products.* through the link
		{"GET", "/admin/brands/" + seed.BrandID, admin, "", 200, `"name":"Acme"`},
		{"GET", "/admin/brands/nope", admin, "", 404, "nope"},
		{"GET", "/admin/brands?limit=abc", admin, "", 400, "limit"},
		{"GET", "/admin/brands", nil, "", 401, ""},
		{"POST", "/admin/brands", admin, `{"nom":1}`, 400, "name"},
		{"GET", "/custom/me", nil, "", 401, ""},
		{"GET", "/custom/me", admin, "", 200, `"actor_type":"user"`},
		{"GET", "/admin/products/" + seed.ProductID + "?fields=id,brand.id", admin, "", 200, seed.BrandID}, // the link
	} {
		do(t, c.method, base+c.path, c.headers, c.body, c.status, c.want)
	}
	// POST /admin/brands runs create-brand, which emits brand.created; the subscriber runs sync-brand.
	var created struct {
		Brand struct{ ID string } `json:"brand"`
	}
	json.Unmarshal(do(t, "POST", base+"/admin/brands", admin, `{"name":"Initech"}`, 200, `"name":"Initech"`), &created)
	if created.Brand.ID == "" {
		t.Fatal("no brand created")
	}
	defer do(t, "DELETE", base+"/admin/brands/"+created.Brand.ID, admin, "", 200, `"deleted":true`)
	marker := fmt.Sprintf("FIXTURE-BRAND-SUB v1 %[1]s synced %[1]s v1", created.Brand.ID)
	if last := out.WaitFor(30*time.Second, func(o string) string {
		if !strings.Contains(o, marker) {
			return fmt.Sprintf("output lacks %q:\n%s", marker, o)
		}
		return ""
	}); last != "" {
		t.Error(last)
	}
	if logError.MatchString(out.String()) {
		t.Errorf("Medusa logged an error:\n%s", out.String())
	}
}

// Medusa's logger colours its level names.
var logError = regexp.MustCompile(`(?m)^(\x1b\[\d+m)?error(\x1b\[\d+m)?:`)

// do sends one request and checks its status and that the body contains want.
func do(t *testing.T, method, url string, headers map[string]string, body string, status int, want string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("content-type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status || !bytes.Contains(b, []byte(want)) {
		t.Errorf("%s %s = %d %s, want %d with %q", method, url, resp.StatusCode, b, status, want)
	}
	return b
}
