package framework

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"

	"github.com/dop251/goja"
)

// weakETag is the etag package's weak ETag (1.8, Express's default "etag fn"): the length in
// hexadecimal and 27 characters of the body's SHA-1 in base64.
func weakETag(body []byte) string {
	sum := sha1.Sum(body)
	return fmt.Sprintf(`W/"%x-%s"`, len(body), base64.StdEncoding.EncodeToString(sum[:])[:27])
}

// bodyBytes is what res.send sends of v: a string's UTF-8, a Buffer's or typed array's bytes.
func bodyBytes(v goja.Value) []byte {
	switch x := v.Export().(type) {
	case []byte:
		return x
	case goja.ArrayBuffer:
		return x.Bytes()
	}
	return []byte(v.String())
}
