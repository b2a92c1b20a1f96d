//go:build !linux

package heap

// Reserve does nothing outside Linux.
func Reserve(want int) (Plan, error) {
	return Plan{Reason: "only implemented on Linux"}, nil
}

// readSystem knows nothing of the machine outside Linux: the memory limit
// is then the input's alone.
func readSystem() system { return system{} }
