package framework

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// SignCookie signs value with secret as cookie-signature's sign does for express-session:
// value, ".", and the HMAC-SHA256 of value in base64 without its trailing "=".
func SignCookie(value, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(value))
	return value + "." + strings.TrimRight(base64.StdEncoding.EncodeToString(mac.Sum(nil)), "=")
}

// NewSessionID is a session id as express-session generates them (uid-safe, 24 random bytes,
// base64url without padding: 32 characters).
func NewSessionID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
