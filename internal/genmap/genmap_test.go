package genmap

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// Every generation equals a plain map that got the same writes, and writing a later
// generation never changes an earlier one, through many folds of the changes into the base.
func TestGenerationsMatchPlainMaps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type gen struct {
		m    *Map[string, int]
		want map[string]int
	}
	var gens []gen
	m, want := New[string, int](), map[string]int{}
	for g := 0; g < 300; g++ {
		for op := 0; op < 1+r.IntN(20); op++ {
			k := fmt.Sprint(r.IntN(200))
			if r.IntN(4) == 0 {
				m.Delete(k)
				delete(want, k)
			} else {
				v := r.Int()
				m.Set(k, v)
				want[k] = v
			}
		}
		gens = append(gens, gen{m, maps.Clone(want)})
		m = m.Next()
	}
	for i, g := range gens {
		got := map[string]int{}
		g.m.Range(func(k string, v int) bool {
			got[k] = v
			return true
		})
		if !maps.Equal(got, g.want) || g.m.Len() != len(g.want) {
			t.Fatalf("generation %d: %d entries (Len %d), want %d", i, len(got), g.m.Len(), len(g.want))
		}
		for k, v := range g.want {
			if x, ok := g.m.Get(k); !ok || x != v {
				t.Fatalf("generation %d: Get(%s) = %d %v, want %d", i, k, x, ok, v)
			}
		}
	}
}

// Next copies the changes, not the entries: saving the same keys again and again, the work per
// generation does not grow with the map.
func TestNextCopiesOnlyTheChanges(t *testing.T) {
	m := New[int, int]()
	for i := 0; i < 10000; i++ {
		m.Set(i, i)
	}
	m = m.Next() // folds the first 10,000 entries into the base
	for g := 0; g < 100; g++ {
		m.Set(g%50, -g)
		m = m.Next()
		if len(m.delta) > foldAt(len(m.base)) {
			t.Fatalf("generation %d carries %d changes over a base of %d", g, len(m.delta), len(m.base))
		}
	}
	if len(m.delta) > 50 {
		t.Fatalf("%d changes for 50 keys written", len(m.delta))
	}
}

// A generation whose next ones are dropped (reloads that failed) folds once: each later Next
// shares that fold, and what a dropped generation wrote is in no other.
func TestDroppedGenerationsShareTheFold(t *testing.T) {
	m := New[int, int]()
	for i := 0; i < 1000; i++ {
		m.Set(i, i) // all in the delta: the first Next folds
	}
	var dropped []*Map[int, int]
	for g := 0; g < 5; g++ {
		next := m.Next()
		if len(dropped) > 0 && fmt.Sprintf("%p", next.base) != fmt.Sprintf("%p", dropped[0].base) {
			t.Fatalf("Next %d folded again", g)
		}
		next.Set(g, -1)
		next.Delete(999)
		dropped = append(dropped, next)
	}
	for g, d := range dropped {
		for i := 0; i < 5; i++ {
			want, ok := i, true
			if i == g {
				want = -1
			}
			if v, got := d.Get(i); v != want || got != ok {
				t.Fatalf("dropped generation %d: Get(%d) = %d %v, want %d", g, i, v, got, want)
			}
		}
		if _, ok := d.Get(999); ok || d.Len() != 999 {
			t.Fatalf("dropped generation %d: 999 deleted, Len %d", g, d.Len())
		}
	}
	for i := 0; i < 1000; i++ {
		if v, ok := m.Get(i); !ok || v != i {
			t.Fatalf("the live generation: Get(%d) = %d %v", i, v, ok)
		}
	}
}

func BenchmarkNext(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := New[int, int]()
			for i := 0; i < n; i++ {
				m.Set(i, i)
			}
			m = m.Next()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Set(i%n, i)
				m = m.Next()
			}
		})
	}
}
