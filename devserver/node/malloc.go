package node

// tuneMalloc sets glibc malloc's tunables for Medusa unless the user set them: at most two
// arenas, and freed memory at the top of a heap returned to the system above 64 KB. By default
// glibc keeps an arena per thread that ever allocated (up to 8 per core: V8's and libuv's
// threads) and returns the top of a heap above 128 KB, growing that threshold with each large
// free. Measured on the fixture after boot: Medusa 352 → 329 MB, boot time unchanged
// (two runs each, in turns). Other C libraries ignore both variables.
func tuneMalloc(env map[string]string) {
	for _, k := range []string{"GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_"} {
		if _, set := env[k]; set {
			return
		}
	}
	env["MALLOC_ARENA_MAX"] = "2"
	env["MALLOC_TRIM_THRESHOLD_"] = "65536"
}
