// Package genmap is a map for generations of a reload: the next generation starts as the
// current one in time proportional to the changes since their shared base, not to the number
// of entries, and writing it never changes the current one.
//
// A Map is a shared, read-only base plus its own changes. Next copies the changes only: when
// the same keys change again and again (a file saved over and over), that is all it copies.
// Once the changes outgrow the square root of the base, Next folds them into a new base, so
// with ever new keys a generation costs O(√n) on average.
package genmap

import (
	"math"
	"sync/atomic"
)

// Map is one generation. The zero value is not usable: use New.
type Map[K comparable, V any] struct {
	base  map[K]V         // never written once shared
	delta map[K]change[V] // this generation's changes over base
	n     int             // entries

	// folded is m's entries in one map, once a Next folded them. A generation whose next one
	// is dropped (a reload that failed) gets Next again: it shares the fold instead of
	// folding anew each time.
	folded atomic.Pointer[map[K]V]
}

type change[V any] struct {
	v       V
	deleted bool
}

// New returns an empty map.
func New[K comparable, V any]() *Map[K, V] {
	return &Map[K, V]{base: map[K]V{}, delta: map[K]change[V]{}}
}

// Get returns the value of k.
func (m *Map[K, V]) Get(k K) (V, bool) {
	if c, ok := m.delta[k]; ok {
		if c.deleted {
			var zero V
			return zero, false
		}
		return c.v, true
	}
	v, ok := m.base[k]
	return v, ok
}

// Len is the number of entries.
func (m *Map[K, V]) Len() int { return m.n }

// Set sets k to v in this generation only.
func (m *Map[K, V]) Set(k K, v V) {
	if _, ok := m.Get(k); !ok {
		m.n++
	}
	m.delta[k] = change[V]{v: v}
}

// Delete removes k from this generation only.
func (m *Map[K, V]) Delete(k K) {
	if _, ok := m.Get(k); !ok {
		return
	}
	m.n--
	if _, inBase := m.base[k]; inBase {
		m.delta[k] = change[V]{deleted: true}
	} else {
		delete(m.delta, k)
	}
}

// Range calls fn for each entry, in no particular order, until fn returns false.
func (m *Map[K, V]) Range(fn func(K, V) bool) {
	for k, v := range m.base {
		if _, changed := m.delta[k]; changed {
			continue
		}
		if !fn(k, v) {
			return
		}
	}
	for k, c := range m.delta {
		if !c.deleted && !fn(k, c.v) {
			return
		}
	}
}

// Next returns the next generation: equal to m, and independent of it from now on.
func (m *Map[K, V]) Next() *Map[K, V] {
	if f := m.folded.Load(); f != nil {
		return &Map[K, V]{base: *f, delta: map[K]change[V]{}, n: m.n}
	}
	if len(m.delta) > foldAt(len(m.base)) {
		base := make(map[K]V, m.n)
		m.Range(func(k K, v V) bool {
			base[k] = v
			return true
		})
		m.folded.Store(&base)
		return &Map[K, V]{base: base, delta: map[K]change[V]{}, n: m.n}
	}
	delta := make(map[K]change[V], len(m.delta))
	for k, c := range m.delta {
		delta[k] = c
	}
	return &Map[K, V]{base: m.base, delta: delta, n: m.n}
}

// foldAt is how many changes a generation carries over a base of n entries before Next folds
// them into a new base.
func foldAt(n int) int { return 16 + int(math.Sqrt(float64(n))) }
