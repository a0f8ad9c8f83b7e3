package child

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// While no child runs after a failure (it exited at boot, or keeps exiting), the port answers
// every request at once with a 503 that says why (WriteNotReady), whichever runtime serves it.

// notReadyType is the "type" of the 503's JSON body, beside Medusa's own error types.
const notReadyType = "not_ready"

// WriteNotReady answers a request with 503 and why, as JSON (Medusa's error shape); retryIn,
// when positive, becomes Retry-After (whole seconds, rounded up).
func WriteNotReady(w http.ResponseWriter, reason string, retryIn time.Duration) {
	b, _ := json.Marshal(map[string]string{"type": notReadyType, "message": reason})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if retryIn > 0 {
		h.Set("Retry-After", fmt.Sprint(int(math.Ceil(retryIn.Seconds()))))
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(append(b, '\n'))
}

// ansiColor is a terminal color sequence, as Medusa's logger writes them.
var ansiColor = regexp.MustCompile("\x1b\\[[0-9;]*m")

// LevelPrefix is a logger's level at the start of a line ("error:   …").
var LevelPrefix = regexp.MustCompile(`^(?i)(error|fatal|warn|info):\s*`)

var errorLine = regexp.MustCompile(`(?i)\b(error|exception|fatal|panic|cannot|failed|refused)\b`)

// FirstErrorLine is the first line of output that reads like an error, trimmed and cut to 300
// bytes; "" when there is none.
func FirstErrorLine(output string) string {
	for _, line := range strings.Split(output, "\n") {
		line = LevelPrefix.ReplaceAllString(strings.TrimSpace(ansiColor.ReplaceAllString(line, "")), "")
		if line != "" && errorLine.MatchString(line) {
			if len(line) > 300 {
				line = line[:300] + "…"
			}
			return line
		}
	}
	return ""
}

// FirstLine is s up to its first line break.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
