//go:build race

package dispatch_test

// raceEnabled: the race detector slows every statement many times over (commit → receipt is
// ~100 ms with nothing hanging), so latency bounds are not checked under it.
const raceEnabled = true
