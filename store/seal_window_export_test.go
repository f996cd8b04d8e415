package store

// SetSealWindow makes the sealing migration look at n rows per transaction until the test ends.
func SetSealWindow(n int) (restore func()) {
	old := sealWindow
	sealWindow = n
	return func() { sealWindow = old }
}
