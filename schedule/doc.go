// Package schedule runs Medusa scheduled jobs (src/jobs/*.ts) on cron expressions or fixed
// intervals, and swaps them in place on hot reload.
//
// It follows Medusa's scheduler (workflow-engine-inmemory) where that matters to a project:
// cron strings with 5 or 6 fields (leading seconds optional), {interval: ms}, numberOfExecutions
// after which the job is removed, and concurrency "forbid" (the default) or "allow". It fixes
// what Medusa gets wrong: a reload can never leave two timers for one job, a run in progress
// during a reload is neither lost nor repeated, and every failure reaches an error sink.
//
// Cron parsing and next-time computation are a port of cron-parser 4.9 (cronparser.go), the
// parser Medusa's scheduler calls, so that exactly the same expressions load and fire at the
// same times; timers and bookkeeping are our own so that the clock can be injected and Replace
// can be atomic.
package schedule
