//go:build !linux

package heap

import (
	"math"
	"runtime/debug"
)

// Reserve does nothing outside Linux.
func Reserve(want int) (Plan, error) {
	return Plan{Reason: "only implemented on Linux"}, nil
}

// SetBudget turns the proportional collector off and sets a memory limit
// for an analysis of inputBytes of source. Outside Linux the machine's
// memory is not read, so the limit is the input's alone.
func SetBudget(inputBytes int64) (Budget, bool) {
	if Default() {
		return Budget{}, false
	}
	b := budget(system{}, inputBytes)
	if cur := debug.SetMemoryLimit(-1); cur < math.MaxInt64 && cur > b.Limit {
		b.Limit = cur
	}
	debug.SetMemoryLimit(b.Limit)
	debug.SetGCPercent(-1)
	return b, true
}
