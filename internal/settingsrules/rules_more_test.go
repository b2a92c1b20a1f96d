package settingsrules

import "testing"

func TestMentions(t *testing.T) {
	tests := []struct {
		src  string
		name string
		want bool
	}{
		{"import ratelimit\n", "ratelimit", true},
		{"from ratelimit.decorators import ratelimit\n", "ratelimit", true},
		{"@ratelimit(key='ip')\ndef v(r): pass\n", "ratelimit", true},
		{"throttle_classes = [UserRateThrottle]\n", "throttle_classes", true},
		{"x = 1  # ratelimit later\n", "ratelimit", false},
		{"no_ratelimit = True\n", "ratelimit", true}, // "ratelimit =" as before
		{"myratelimit()\nratelimited = 1\n", "ratelimit", false},
		{"s = 'axes'; axes_x = 2\n", "axes", false},
		{"", "axes", false},
		{"ratelimit", "ratelimit", false},
	}
	for _, tt := range tests {
		if got := mentions([]byte(tt.src), tt.name); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tt.src, tt.name, got, tt.want)
		}
	}
}
