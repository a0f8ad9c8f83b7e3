package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
)

// TestCheckJobsAsMedusaStarts runs `check` on copies of the real fixture with one more job
// file: where Medusa's JobLoader throws and Medusa does not start ("Error starting server:
// Config is required for scheduled jobs."), check exits 1 with the error on the job file; a
// job without a default export lets Medusa start (each run fails), so check passes and warns.
func TestCheckJobsAsMedusaStarts(t *testing.T) {
	const job = "src/jobs/broken.ts"
	tests := []struct {
		name, src string
		code      int
		severity  string // of the diagnostic on the job file
		message   string // in it
	}{
		{"no config", "export default async function broken() {}\n", 1, "error", "Config is required for scheduled jobs."},
		{"config without schedule", "export default async function broken() {}\nexport const config = { name: \"broken\" }\n", 1, "error",
			"Cron schedule definition is required for scheduled jobs."},
		{"no default export", "export const config = { name: \"broken\", schedule: \"* * * * *\" }\n", 0, "warning", "a job needs a default export"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := medusafixture.ForTest(t, map[string]string{job: tc.src})
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", root, "--json"}, &stdout, &stderr)
			var report devserver.CheckReport
			if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
				t.Fatalf("check --json: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
			}
			var onJob []devserver.CheckDiagnostic
			for _, d := range report.Diagnostics {
				if d.File == job {
					onJob = append(onJob, d)
				}
			}
			if code != tc.code || len(onJob) != 1 || string(onJob[0].Severity) != tc.severity || !strings.Contains(onJob[0].Message, tc.message) {
				t.Fatalf("check exits %d with %+v on %s; want %d and one %s with %q\nall: %+v", code, onJob, job, tc.code, tc.severity, tc.message, report.Diagnostics)
			}
		})
	}
}
