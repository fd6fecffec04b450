//go:build !race

package main

// raceEnabled says the test binary runs with the race detector; see race_test.go.
const raceEnabled = false
