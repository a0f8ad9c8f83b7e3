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
// admin user and a customer, signed with the project's jwtSecret as Medusa signs its own
// (generateJwtToken, HS256), so that authenticate() accepts them as it accepts Medusa's.
//
// They are derived from the secret alone: the same secret gives the same credentials on
// every machine and across restarts, so scripts and the README can spell them out. The tokens
// grant nothing the secret does not: whoever has the secret can sign any token.
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

// NewDevCredentials derives the credentials for jwtSecret ("" is Medusa's default,
// DefaultJWTSecret).
func NewDevCredentials(jwtSecret string) DevCredentials {
	if jwtSecret == "" {
		jwtSecret = DefaultJWTSecret
	}
	// pk_ and 64 hex digits, the shape of the keys Medusa's API key module creates.
	sum := sha256.Sum256([]byte("medusa-ls publishable key\x00" + jwtSecret))
	admin := devClaims{ActorID: DevAdminID, ActorType: "user", AuthIdentityID: "authid_medusa_ls_dev_user",
		AuthProvider: "emailpass", AppMetadata: map[string]any{"user_id": DevAdminID}, UserMetadata: map[string]any{}, IssuedAt: devIssuedAt}
	customer := devClaims{ActorID: DevCustomerID, ActorType: "customer", AuthIdentityID: "authid_medusa_ls_dev_customer",
		AuthProvider: "emailpass", AppMetadata: map[string]any{"customer_id": DevCustomerID}, UserMetadata: map[string]any{}, IssuedAt: devIssuedAt}
	return DevCredentials{
		PublishableKey: "pk_" + hex.EncodeToString(sum[:]),
		AdminToken:     signJWT(admin, jwtSecret),
		CustomerToken:  signJWT(customer, jwtSecret),
	}
}

// devClaims are the claims of the tokens Medusa's generateJwtTokenForAuthIdentity signs
// (@medusajs/medusa api/auth/utils/generate-jwt-token.ts, 2.21), in its order, so that
// req.auth_context holds what it holds in Medusa. There is no exp: the tokens are development
// credentials meant to be copied into scripts, and a fixed iat keeps them stable.
type devClaims struct {
	ActorID                 string         `json:"actor_id"`
	ActorType               string         `json:"actor_type"`
	AuthIdentityID          string         `json:"auth_identity_id"`
	AuthProvider            string         `json:"auth_provider"`
	MFAEnabled              bool           `json:"mfa_enabled"`
	MFAChallengeCompletedAt *string        `json:"mfa_challenge_completed_at"`
	AppMetadata             map[string]any `json:"app_metadata"`
	UserMetadata            map[string]any `json:"user_metadata"`
	IssuedAt                int64          `json:"iat"`
}

// devIssuedAt is the tokens' iat: 2025-01-01T00:00:00Z, in seconds.
const devIssuedAt = 1735689600

var b64 = base64.RawURLEncoding

// signJWT signs claims with HS256, as jsonwebtoken's sign(claims, secret) does.
func signJWT(claims any, secret string) string {
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
