package medusafixture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RequireRedisEnv makes a missing Redis a test failure instead of a skip (.ci/run sets it).
const RequireRedisEnv = "MEDUSA_LS_REQUIRE_REDIS"

// RedisDir is the fixture variant configured with Medusa's Redis modules (event bus on BullMQ,
// workflow engine, locking, caching): its medusa-config.ts replaces the fixture's in a copy.
func RedisDir() string {
	return filepath.Join(Dir(), "..", "medusa-app-redis")
}

// RedisURL is the Redis the tests use: REDIS_URL, else Debian's redis-server on its default port
// (which .ci/run starts).
func RedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379"
}

// PingRedis checks that a Redis answers at url.
func PingRedis(ctx context.Context, url string) error {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("REDIS_URL %q: %w", url, err)
	}
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("no Redis answers at %s: %w", url, err)
	}
	return nil
}

// Redis returns the URL of a Redis that answers, or skips t (fails it when RequireRedisEnv is 1).
func Redis(t testing.TB) string {
	t.Helper()
	url := RedisURL()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := PingRedis(ctx, url); err != nil {
		if os.Getenv(RequireRedisEnv) == "1" {
			t.Fatalf("%v (%s=1)", err, RequireRedisEnv)
		}
		t.Skipf("%v; start one with: redis-server --daemonize yes --bind 127.0.0.1 --save ''", err)
	}
	return url
}

// ForRedisTest returns a fresh copy of the fixture configured with Medusa's Redis modules on the
// test Redis, with the extra files (like ForTest). Its queues, locks and cache keys carry a
// prefix of their own (FIXTURE_REDIS_PREFIX in its .env), so that tests running at once on one
// Redis never take each other's events; they are deleted when the test ends.
func ForRedisTest(t testing.TB, extra map[string]string) (root, prefix string) {
	t.Helper()
	url := Redis(t)
	root = ForTest(t, extra)
	cfg, err := os.ReadFile(filepath.Join(RedisDir(), "medusa-config.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "medusa-config.ts"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix = "medusa-ls-test-" + hex.EncodeToString(b[:])
	env, err := os.OpenFile(filepath.Join(root, ".env"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fmt.Fprintf(env, "\nREDIS_URL=%s\nFIXTURE_REDIS_PREFIX=%s\n", url, prefix)
	if cerr := env.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { DeleteRedisKeys(url, prefix) })
	return root, prefix
}

// DeleteRedisKeys deletes the keys that contain prefix (a test's or a benchmark's queues, locks
// and cache entries).
func DeleteRedisKeys(url, prefix string) {
	pattern := "*" + prefix + "*"
	opts, err := redis.ParseURL(url)
	if err != nil {
		return
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	it := c.Scan(ctx, 0, pattern, 500).Iterator()
	var keys []string
	for it.Next(ctx) {
		keys = append(keys, it.Val())
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		c.Unlink(ctx, keys[:n]...)
		keys = keys[n:]
	}
}
