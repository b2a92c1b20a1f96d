package vulndb

import (
	"math"
	"strings"
)

// cvss3Score computes the base score of a CVSS v3.0/v3.1 vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" -> 9.8). ok is false
// for anything else.
func cvss3Score(vector string) (score float64, ok bool) {
	if !strings.HasPrefix(vector, "CVSS:3.") || len(vector) > 200 {
		return 0, false
	}
	m := map[string]string{}
	for _, part := range strings.Split(vector, "/")[1:] {
		k, v, found := strings.Cut(part, ":")
		if !found {
			return 0, false
		}
		m[k] = v
	}
	av := map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}[m["AV"]]
	ac := map[string]float64{"L": 0.77, "H": 0.44}[m["AC"]]
	ui := map[string]float64{"N": 0.85, "R": 0.62}[m["UI"]]
	cia := map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	c, okc := cia[m["C"]]
	i, oki := cia[m["I"]]
	a, oka := cia[m["A"]]
	scope := m["S"]
	var pr float64
	switch m["PR"] {
	case "N":
		pr = 0.85
	case "L":
		pr = 0.62
		if scope == "C" {
			pr = 0.68
		}
	case "H":
		pr = 0.27
		if scope == "C" {
			pr = 0.5
		}
	}
	if av == 0 || ac == 0 || ui == 0 || pr == 0 || !okc || !oki || !oka || (scope != "U" && scope != "C") {
		return 0, false
	}
	iss := 1 - (1-c)*(1-i)*(1-a)
	var impact float64
	if scope == "U" {
		impact = 6.42 * iss
	} else {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	if impact <= 0 {
		return 0, true
	}
	expl := 8.22 * av * ac * pr * ui
	if scope == "U" {
		score = roundUp(math.Min(impact+expl, 10))
	} else {
		score = roundUp(math.Min(1.08*(impact+expl), 10))
	}
	return score, true
}

// roundUp is CVSS 3.1's Roundup: the smallest number with one decimal
// that is at least x.
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return (math.Floor(float64(i)/10000) + 1) / 10
}

// severityOfScore maps a CVSS base score to its qualitative rating.
func severityOfScore(s float64) string {
	switch {
	case s >= 9:
		return "critical"
	case s >= 7:
		return "high"
	case s >= 4:
		return "medium"
	case s > 0:
		return "low"
	}
	return ""
}

// normSeverity maps GHSA-style words to ours.
func normSeverity(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return "critical"
	case "high":
		return "high"
	case "moderate", "medium":
		return "medium"
	case "low":
		return "low"
	}
	return ""
}

var severityRank = map[string]int{"": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

func maxSeverity(a, b string) string {
	if severityRank[b] > severityRank[a] {
		return b
	}
	return a
}
