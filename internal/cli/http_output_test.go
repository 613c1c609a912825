package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
)

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

var colorJSONSeeds = []string{
	`{"a": 1, "b": [true, false, null], "c": "x\"y:", "d": -1.5e3}`,
	"{\n    \"k\": \"v\"\n}",
	`"just a string"`,
	`[]`,
	`{"nested": {"a": {"b": "\\"}}}`,
}

func TestColorJSON(t *testing.T) {
	got := string(colorJSON([]byte(`{"k": "v", "n": 2, "t": true}`)))
	want := ansiKey + `"k"` + ansiReset + `: ` + ansiString + `"v"` + ansiReset + `, ` +
		ansiKey + `"n"` + ansiReset + `: ` + ansiNumber + `2` + ansiReset + `, ` +
		ansiKey + `"t"` + ansiReset + `: ` + ansiLiteral + `true` + ansiReset + `}`
	if got != "{"+want {
		t.Errorf("colorJSON: got %q, want %q", got, "{"+want)
	}
}

// FuzzColorJSON: colouring valid JSON only adds escape codes.
func FuzzColorJSON(f *testing.F) {
	for _, s := range colorJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		out := colorJSON([]byte(s))
		if plain := ansiRE.ReplaceAll(out, nil); !bytes.Equal(plain, []byte(s)) {
			t.Fatalf("colorJSON(%q) without colours = %q", s, plain)
		}
	})
}
