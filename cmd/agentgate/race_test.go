//go:build race

package main

// raceEnabled says the test binary runs with the race detector, so the child binary is
// built with it too, from the same cached packages.
const raceEnabled = true
