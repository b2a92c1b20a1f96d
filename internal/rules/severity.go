package rules

import (
	"fmt"
	"strings"
)

// Severity orders findings from Info (lowest) to Critical.
type Severity int

// The zero Severity means "unset": a finding reported with it takes its
// rule's severity.
const (
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"", "info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s >= Info && s <= Critical {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ParseSeverity reads one of info, low, medium, high, critical (any case).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[1:], ", "))
}

// MarshalText writes the lower-case name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how sure a rule is that a finding is real.
type Confidence int

// The zero Confidence means "unset": a finding reported with it takes its
// rule's confidence.
const (
	LowConfidence Confidence = iota + 1
	MediumConfidence
	HighConfidence
)

var confidenceNames = [...]string{"", "low", "medium", "high"}

func (c Confidence) String() string {
	if c >= LowConfidence && c <= HighConfidence {
		return confidenceNames[c]
	}
	return fmt.Sprintf("Confidence(%d)", int(c))
}

// ParseConfidence reads one of low, medium, high (any case).
func ParseConfidence(s string) (Confidence, error) {
	for i, n := range confidenceNames {
		if i > 0 && strings.EqualFold(s, n) {
			return Confidence(i), nil
		}
	}
	return 0, fmt.Errorf("unknown confidence %q (want one of %s)", s, strings.Join(confidenceNames[1:], ", "))
}

// MarshalText writes the lower-case name.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads the name written by MarshalText.
func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
