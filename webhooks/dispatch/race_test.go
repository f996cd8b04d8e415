//go:build race

package dispatch_test

// raceEnabled: the race detector slows every SQLite statement many times over (commit →
// receipt is 10–100 ms with nothing hanging), so latency tests pace and bound themselves for
// it.
const raceEnabled = true
