package jsvm

import (
	"path/filepath"
	"strings"
	"testing"
)

// What goja cannot do as Node does is an UnsupportedError that says what, never a wrong value:
// a Unicode property escape never matched, and toLocaleString with a locale or options threw a
// RangeError about a radix.
func TestIntlAndUnicodeEscapesAreUnsupportedNotWrong(t *testing.T) {
	dir := project(t, map[string]string{"f.ts": `
export const letter = () => /\p{L}+/u.test("é")
export const letterCtor = () => new RegExp("\\p{Lu}", "u").test("É")
export const currency = () => (12.5).toLocaleString("en-US", { style: "currency", currency: "USD" })
export const german = () => (1234.5).toLocaleString("de-DE")
export const dateOptions = () => new Date(0).toLocaleDateString("en-US", { timeZone: "UTC" })
export const collation = () => "a".localeCompare("A", undefined, { sensitivity: "base" })
export const plain = () => /\p/.test("p") && /p{1}/u.test("p")
`})
	rt := newRuntime(t, dir)
	_, mod, err := load(t, rt, nil, nil, filepath.Join(dir, "f.ts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ fn, want string }{
		{"letter", "Unicode property escape"},
		{"letterCtor", "Unicode property escape"},
		{"currency", "Number.prototype.toLocaleString with a locale or options"},
		{"german", "Number.prototype.toLocaleString with a locale or options"},
		{"dateOptions", "Date.prototype.toLocaleDateString with a locale or options"},
		{"collation", "String.prototype.localeCompare with a locale or options"},
	} {
		got, err := call(t, rt, mod, tt.fn)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "not supported by the embedded runtime") {
			t.Errorf("%s() = %s, %v; want an UnsupportedError about %q", tt.fn, got, err, tt.want)
		}
	}
	if got, err := call(t, rt, mod, "plain"); err != nil || got != "true" {
		t.Errorf("plain() = %s, %v; want true: only \\p{…} with the u flag is refused", got, err)
	}
}

// globalThis.crypto is Node 20's Web Crypto, there without requiring "crypto" first.
func TestGlobalCryptoWithoutRequire(t *testing.T) {
	dir := project(t, map[string]string{"f.ts": `
export const uuid = () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())
export const random = () => globalThis.crypto.getRandomValues(new Uint8Array(8)).length
export const same = () => crypto === require("crypto").webcrypto
`})
	rt := newRuntime(t, dir)
	_, mod, err := load(t, rt, nil, nil, filepath.Join(dir, "f.ts"))
	if err != nil {
		t.Fatal(err)
	}
	for fn, want := range map[string]string{"uuid": "true", "random": "8", "same": "true"} {
		if got, err := call(t, rt, mod, fn); err != nil || got != want {
			t.Errorf("%s() = %s, %v; want %s", fn, got, err, want)
		}
	}
}
