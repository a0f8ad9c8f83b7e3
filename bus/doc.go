// Package bus is the event bus that Medusa subscribers (src/subscribers/*.ts) run on: the
// interface the reloaders and the JS runtime use, the message shape, and the subscriber-id
// rules of Medusa's subscriber loader. The in-process implementation, the default, is in
// bus/local; a Redis-backed one can implement the same interface later, which is why every
// message is plain JSON.
package bus
