package reloaders

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// defaultBodyLimit is body-parser's default limit, 100kb (bytes.parse: 1kb = 1024 bytes).
const defaultBodyLimit = 100 << 10

// bodyParserConfig is a middlewares.ts route's bodyParser: false (off), or its sizeLimit and
// preserveRawBody, with the route's matcher and methods.
type bodyParserConfig struct {
	off         bool
	limit       int64 // bytes; 0: the default
	preserveRaw bool
	matcher     string
	re          *regexp.Regexp // a string matcher, compiled; jsRe for a RegExp one
	jsRe        goja.Value
	methods     []string
}

// readBodyParserConfig reads a route's bodyParser option; ok is false when it has none.
func readBodyParserConfig(v goja.Value) (cfg bodyParserConfig, ok bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return cfg, false, nil
	}
	if exported := v.Export(); exported == false {
		return bodyParserConfig{off: true}, true, nil
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		return cfg, true, nil // Medusa passes it to the parsers as options, which ignore it
	}
	if s := obj.Get("sizeLimit"); s != nil && !goja.IsUndefined(s) && !goja.IsNull(s) {
		n, err := parseByteSize(s.Export())
		if err != nil {
			return cfg, true, err
		}
		cfg.limit = n
	}
	if p := obj.Get("preserveRawBody"); p != nil {
		cfg.preserveRaw = p.ToBoolean()
	}
	return cfg, true, nil
}

var byteSizeRe = regexp.MustCompile(`(?i)^((-|\+)?(\d+(?:\.\d+)?)) *(kb|mb|gb|tb|pb|b)?$`)

// parseByteSize is the bytes package's parse, as body-parser reads its limit: a number of bytes,
// or a string such as "10b", "100kb", "1.5mb" (powers of 1024; no unit: bytes).
func parseByteSize(v any) (int64, error) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case float64:
		return int64(n), nil
	case string:
		m := byteSizeRe.FindStringSubmatch(strings.TrimSpace(n))
		if m == nil {
			return 0, fmt.Errorf("bodyParser.sizeLimit %q is not a size (\"100kb\", \"1mb\", or a number of bytes)", n)
		}
		f, _ := strconv.ParseFloat(m[1], 64)
		unit := map[string]float64{"": 1, "b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40, "pb": 1 << 50}[strings.ToLower(m[4])]
		return int64(f * unit), nil
	}
	return 0, fmt.Errorf("bodyParser.sizeLimit must be a number of bytes or a string such as \"100kb\"")
}

// parsedBody is what Medusa's body parser stack made of a request's body.
type parsedBody struct {
	kind    string // "json", "text" or "urlencoded": the parser that took it; "" for none
	text    string // the body decoded, for that parser
	raw     []byte // req.rawBody (preserveRawBody), else nil
	skipped bool   // bodyParser: false: no parser ran, req.body is undefined
	status  int    // an error the parser gave: 400, 413, 415 (0: none)
	message string
	errType string // body-parser's error type ("entity.too.large", …)
}

// parseBody does what Medusa's body parser stack (@medusajs/framework http/middlewares/
// bodyparser.js: express.json, express.text and express.urlencoded of body-parser 1.20, each
// with the route's sizeLimit and preserveRawBody) does with a request's body: the parser whose
// type the Content-Type is takes the body if there is one (hasBody), inflates it, checks its
// size and charset, and decodes it; JSON must be an object or an array (strict).
func parseBody(h http.Header, body []byte, hasBody bool, cfg bodyParserConfig) parsedBody {
	if cfg.off {
		return parsedBody{skipped: true}
	}
	mediaType, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	var kind string
	switch mediaType {
	case "application/json":
		kind = "json"
	case "text/plain":
		kind = "text"
	case "application/x-www-form-urlencoded":
		kind = "urlencoded"
	}
	if kind == "" || !hasBody {
		return parsedBody{}
	}
	limit := cfg.limit
	if limit <= 0 {
		limit = defaultBodyLimit
	}
	fail := func(status int, errType, format string, args ...any) parsedBody {
		return parsedBody{kind: kind, status: status, errType: errType, message: fmt.Sprintf(format, args...)}
	}
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && n > limit && h.Get("Content-Encoding") == "" {
		return fail(http.StatusRequestEntityTooLarge, "entity.too.large", "request entity too large")
	}
	charset := strings.ToLower(params["charset"])
	if charset == "" {
		charset = "utf-8"
	}
	switch {
	case kind == "json" && !strings.HasPrefix(charset, "utf-"),
		kind == "urlencoded" && charset != "utf-8":
		return fail(http.StatusUnsupportedMediaType, "charset.unsupported", "unsupported charset %q", strings.ToUpper(charset))
	}
	switch enc := strings.ToLower(h.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip", "deflate":
		var r io.Reader
		var err error
		if enc == "gzip" {
			r, err = gzip.NewReader(bytes.NewReader(body))
		} else if r, err = zlib.NewReader(bytes.NewReader(body)); err != nil {
			r, err = flate.NewReader(bytes.NewReader(body)), nil // raw deflate, as zlib's inflate accepts
		}
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(r, limit+1))
		}
		if err != nil {
			return fail(http.StatusBadRequest, "encoding.unsupported", "incorrect header check") // zlib's word for a body that is not what it says
		}
	default:
		return fail(http.StatusUnsupportedMediaType, "encoding.unsupported", "unsupported content encoding %q", enc)
	}
	if int64(len(body)) > limit {
		return fail(http.StatusRequestEntityTooLarge, "entity.too.large", "request entity too large")
	}
	text, ok := decodeCharset(body, charset)
	if !ok {
		return fail(http.StatusUnsupportedMediaType, "charset.unsupported", "unsupported charset %q", strings.ToUpper(charset))
	}
	out := parsedBody{kind: kind, text: text}
	if cfg.preserveRaw {
		out.raw = body
	}
	if kind == "json" && text != "" {
		if first := strings.TrimLeft(text, " \t\n\r"); first != "" && first[0] != '{' && first[0] != '[' {
			out.status, out.errType = http.StatusBadRequest, "entity.parse.failed"
			out.message = strictJSONMessage(text, first)
		}
	}
	return out
}

// decodeCharset decodes body as iconv-lite does for body-parser (a byte-order mark dropped), for
// the charsets projects send; ok is false for others.
func decodeCharset(body []byte, charset string) (string, bool) {
	switch charset {
	case "utf-8", "utf8":
		s := string(bytes.TrimPrefix(body, []byte("\uFEFF")))
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		return s, true
	case "utf-16le", "utf-16be", "utf-16":
		order := unicode.LittleEndian
		if charset == "utf-16be" {
			order = unicode.BigEndian
		}
		b, err := unicode.UTF16(order, unicode.UseBOM).NewDecoder().Bytes(body)
		return string(b), err == nil
	case "latin1", "iso-8859-1", "binary":
		b, err := charmap.ISO8859_1.NewDecoder().Bytes(body)
		return string(b), err == nil
	case "windows-1252", "cp1252":
		b, err := charmap.Windows1252.NewDecoder().Bytes(body)
		return string(b), err == nil
	case "us-ascii", "ascii":
		return string(body), true
	}
	return "", false
}

// strictJSONMessage is body-parser's createStrictSyntaxError on V8: the message JSON.parse gives
// for the body with its first character and all after it turned into "#", the "#"s put back.
// V8 quotes a short body whole (unescaped), a long one 10 characters around the token.
func strictJSONMessage(text, first string) string {
	r, _ := utf8.DecodeRuneInString(first)
	runes := []rune(text)
	if len(runes) <= 40 {
		return fmt.Sprintf("Unexpected token '%c', \"%s\" is not valid JSON", r, text)
	}
	at := len([]rune(text[:len(text)-len(first)]))
	start, end := max(at-10, 0), min(at+10, len(runes))
	snippet := string(runes[start:end])
	if start > 0 {
		snippet = "..." + snippet
	}
	if end < len(runes) {
		snippet += "..."
	}
	return fmt.Sprintf("Unexpected token '%c', \"%s\" is not valid JSON", r, snippet)
}
