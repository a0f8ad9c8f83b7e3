package framework

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
)

// DefaultJWTSecret is Medusa's projectConfig.http.jwtSecret when none is configured.
const DefaultJWTSecret = "supersecret"

// DevCredentials let a developer call the routes that Medusa protects by default: the
// publishable key that /store routes require (x-publishable-api-key) and bearer tokens for an
// admin user and a customer, signed with the project's jwtSecret as Medusa signs its own, so
// that Medusa's authenticate() accepts them too. They are derived from the project directory
// and the secret, so they stay the same across restarts.
type DevCredentials struct {
	PublishableKey string `json:"publishableKey"`
	AdminToken     string `json:"adminToken"`
	CustomerToken  string `json:"customerToken"`
}

// Development actor ids, as the tokens carry them (auth_context.actor_id).
const (
	DevAdminID    = "user_medusa_ls_dev"
	DevCustomerID = "cus_medusa_ls_dev"
)

// NewDevCredentials derives the credentials of the project at root for jwtSecret.
func NewDevCredentials(root, jwtSecret string) DevCredentials {
	if jwtSecret == "" {
		jwtSecret = DefaultJWTSecret
	}
	sum := sha256.Sum256([]byte("medusa-ls publishable key\x00" + root + "\x00" + jwtSecret))
	admin := map[string]any{"actor_id": DevAdminID, "actor_type": "user", "auth_identity_id": "authid_medusa_ls_dev_user",
		"app_metadata": map[string]any{"user_id": DevAdminID}, "user_metadata": map[string]any{}}
	customer := map[string]any{"actor_id": DevCustomerID, "actor_type": "customer", "auth_identity_id": "authid_medusa_ls_dev_customer",
		"app_metadata": map[string]any{"customer_id": DevCustomerID}, "user_metadata": map[string]any{}}
	return DevCredentials{
		PublishableKey: "pk_" + hex.EncodeToString(sum[:]),
		AdminToken:     signJWT(admin, jwtSecret),
		CustomerToken:  signJWT(customer, jwtSecret),
	}
}

var b64 = base64.RawURLEncoding

// signJWT signs claims with HS256, as jsonwebtoken's sign(claims, secret) does.
func signJWT(claims map[string]any, secret string) string {
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signing := b64.EncodeToString(header) + "." + b64.EncodeToString(body)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + b64.EncodeToString(mac.Sum(nil))
}

// VerifyJWT checks token as jsonwebtoken's verify(token, secret) does for a string secret:
// an HS256, HS384 or HS512 signature, and exp and nbf (seconds) against now. It returns the
// claims as JSON.
func VerifyJWT(token, secret string, now time.Time) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("jwt malformed")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return "", fmt.Errorf("invalid token: %w", err)
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return "", fmt.Errorf("invalid token: %w", err)
	}
	var h func() hash.Hash
	switch header.Alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return "", errors.New("invalid algorithm")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return "", errors.New("invalid signature")
	}
	mac := hmac.New(h, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return "", errors.New("invalid signature")
	}
	body, err := b64.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("invalid token: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil {
		return "", fmt.Errorf("invalid token: %w", err)
	}
	sec := float64(now.Unix())
	if exp, ok := claims["exp"].(float64); ok && sec >= exp {
		return "", errors.New("jwt expired")
	}
	if nbf, ok := claims["nbf"].(float64); ok && sec < nbf {
		return "", errors.New("jwt not active")
	}
	return string(body), nil
}
