package embedded

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestZodErrorWordedAsMedusa throws a ZodError with the issues each case names from a route
// and checks the message Medusa's error handler gives it: zod-validation-error's
// fromZodIssue(issue).toString() for each issue, joined with "\n". The expected messages are
// what zod-validation-error 5.0.0 (the fixture's) printed for the same issues; the oracle
// compares real zod errors with Medusa in TestHTTPMatchesMedusa.
func TestZodErrorWordedAsMedusa(t *testing.T) {
	f := newFixture(t, map[string]string{
		"src/api/zod/route.ts": `export const POST = async (req: any) => {
  throw Object.assign(new Error("zod"), { name: "ZodError", issues: req.body.issues })
}
`,
	}, func(o *Options) { o.TaskTimeout = 10 * time.Second })
	f.load()
	bad := `{"code":"custom","path":%s,"message":"bad"}`
	custom := func(path string) string { return fmt.Sprintf(bad, path) }
	tests := []struct {
		name, issues, want string
	}{
		{"one issue", `[{"code":"invalid_type","expected":"string","path":["a"],"message":"Invalid input: expected string, received undefined"}]`,
			`Validation error: Invalid input: expected string, received undefined at "a"`},
		{"several issues", `[{"code":"invalid_type","expected":"string","path":["a"],"message":"Invalid input: expected string, received number"},{"code":"too_small","origin":"number","minimum":1,"inclusive":true,"path":["qty"],"message":"Too small: expected number to be >=1"}]`,
			"Validation error: Invalid input: expected string, received number at \"a\"\nValidation error: Too small: expected number to be >=1 at \"qty\""},
		{"nested path", `[{"code":"invalid_type","expected":"number","path":["a","b"],"message":"Invalid input: expected number, received string"}]`,
			`Validation error: Invalid input: expected number, received string at "a.b"`},
		{"array index path", `[{"code":"invalid_type","expected":"string","path":["items",0,"name"],"message":"Invalid input: expected string, received undefined"}]`,
			`Validation error: Invalid input: expected string, received undefined at "items[0].name"`},
		{"lone index", `[{"code":"invalid_type","expected":"string","path":[2],"message":"Invalid input"}]`, `Validation error: Invalid input at index 2`},
		{"digit key quoted", "[" + custom(`["meta","0"]`) + "]", `Validation error: Bad at "meta["0"]"`},
		{"quote in a key escaped", "[" + custom(`["meta","x\"y"]`) + "]", `Validation error: Bad at "meta["x\"y"]"`},
		// The identifier test is unanchored: one letter anywhere is enough to go unquoted.
		{"odd keys", "[" + custom(`["meta","-","a-b","my key","é","٣"]`) + "]", `Validation error: Bad at "meta["-"].a-b.my key.é["٣"]"`},
		{"empty key first", "[" + custom(`["","a"]`) + "]", `Validation error: Bad at "[""].a"`},
		{"lone keys as they are", "[" + custom(`["-"]`) + "," + custom(`[""]`) + "," + custom(`["x\"y"]`) + "]",
			"Validation error: Bad at \"-\"\nValidation error: Bad at \"\"\"\"\nValidation error: Bad at \"x\"y\""},
		{"custom message title-cased", `[{"code":"custom","path":["price"],"message":"must be positive"}]`, `Validation error: Must be positive at "price"`},
		{"no path", `[{"code":"custom","path":[],"message":"Passwords do not match"}]`, `Validation error: Passwords do not match`},
		{"empty message", `[{"code":"custom","path":[],"message":""}]`, `Validation error`},
		{"union alternatives", `[{"code":"invalid_union","path":["v"],"message":"Invalid input","errors":[[{"code":"invalid_type","expected":"string","path":[],"message":"Invalid input: expected string, received number"}],[{"code":"invalid_type","expected":"boolean","path":["x"],"message":"Invalid input: expected boolean, received number"},{"code":"custom","path":[],"message":"no"}],[{"code":"invalid_type","expected":"string","path":[],"message":"Invalid input: expected string, received number"}]]}]`,
			`Validation error: Invalid input: expected string, received number at "v" or Invalid input: expected boolean, received number at "v.x"; No at "v"`},
		{"union without alternatives", `[{"code":"invalid_union","path":[],"message":"Invalid input","errors":[]}]`, `Validation error: Invalid input`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := f.get("POST", "/zod", `{"issues":`+tt.issues+`}`)
			var got struct{ Type, Message string }
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("POST /zod = %d %s: %v", code, body, err)
			}
			// A ZodError has no Medusa type: Medusa answers 500, typed invalid_data.
			if code != 500 || got.Type != "invalid_data" || got.Message != tt.want {
				t.Errorf("POST /zod = %d %s\nwant 500 invalid_data %q", code, body, tt.want)
			}
		})
	}
}
