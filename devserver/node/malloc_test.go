package node

import (
	"reflect"
	"testing"
)

func TestTuneMalloc(t *testing.T) {
	tuned := map[string]string{"PATH": "/bin", "MALLOC_ARENA_MAX": "2", "MALLOC_TRIM_THRESHOLD_": "65536"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"unset", map[string]string{"PATH": "/bin"}, tuned},
		{"the user's arena count", map[string]string{"MALLOC_ARENA_MAX": "8"}, map[string]string{"MALLOC_ARENA_MAX": "8"}},
		{"the user's trim threshold", map[string]string{"MALLOC_TRIM_THRESHOLD_": "0"}, map[string]string{"MALLOC_TRIM_THRESHOLD_": "0"}},
		{"the user's tunables", map[string]string{"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}, map[string]string{"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tuneMalloc(tc.env)
			if !reflect.DeepEqual(tc.env, tc.want) {
				t.Errorf("got %v, want %v", tc.env, tc.want)
			}
		})
	}
}
