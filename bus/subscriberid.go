package bus

import (
	"crypto/rand"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// SubscriberID returns the id Medusa's subscriber loader gives a subscriber file, first match
// winning:
//  1. configID, the file's config.context.subscriberId;
//  2. the default export's function name in kebab case, unless the function is anonymous;
//  3. the file's name without its extension, in kebab case.
//
// Medusa calls a handler anonymous when its name is empty or starts with "_default" (what its
// TypeScript compiler names an anonymous default export). esbuild, which compiles our files,
// names it "<file>_default" instead ("product_created_default" for product-created.ts), so a
// name ending in "_default", or "default" itself, also counts as anonymous: without that every
// anonymous subscriber would get a different id here than under Medusa.
func SubscriberID(configID, handlerName, file string) string {
	if configID != "" {
		return configID
	}
	if !anonymousHandler(handlerName) {
		return KebabCase(handlerName)
	}
	base := filepath.Base(file)
	return KebabCase(strings.TrimSuffix(base, filepath.Ext(base)))
}

func anonymousHandler(name string) bool {
	return name == "" || name == "default" ||
		strings.HasPrefix(name, "_default") || strings.HasSuffix(name, "_default")
}

// KebabCase is @medusajs/utils kebabCase: a dash between a lower-case and an upper-case ASCII
// letter, runs of whitespace and underscores become one dash, then lower case. Like the
// original it leaves other characters (dots, digits, existing dashes) alone.
func KebabCase(s string) string {
	s = lowerUpper().ReplaceAllString(s, "$1-$2")
	s = spaceUnderscore().ReplaceAllString(s, "-")
	return strings.ToLower(s)
}

// The patterns are compiled per call rather than held in package variables; ids are computed
// once per subscriber file load, so the cost does not matter.
func lowerUpper() *regexp.Regexp { return regexp.MustCompile(`([a-z])([A-Z])`) }

// JavaScript's \s is Go's \s plus \v, the Unicode space separators (class Z) and U+FEFF.
func spaceUnderscore() *regexp.Regexp { return regexp.MustCompile(`[\s\x0B\p{Z}\x{FEFF}_]+`) }

// DefaultSubscriberID returns "<event>-<ULID>", the id Medusa's local bus gives a subscription
// made without a subscriberId.
func DefaultSubscriberID(event string) string {
	return event + "-" + newULID(time.Now())
}

// crockford is the ULID alphabet (Crockford's base 32, no I, L, O, U).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newULID returns a ULID: 48 bits of milliseconds then 80 random bits, 26 characters, which
// sorts by creation time as Medusa's ids do.
func newULID(now time.Time) string {
	var out [26]byte
	ms := uint64(now.UnixMilli())
	for i := 9; i >= 0; i-- {
		out[i] = crockford[ms&31]
		ms >>= 5
	}
	var rnd [10]byte
	rand.Read(rnd[:]) // never fails (crypto/rand panics rather than return an error)
	var acc uint32
	bits := 0
	pos := 10
	for _, b := range rnd {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[pos] = crockford[(acc>>bits)&31]
			pos++
		}
	}
	return string(out[:])
}

// NewULID returns a new ULID (time-sortable, 26 characters), for ids such as transaction ids.
func NewULID() string { return newULID(time.Now()) }
