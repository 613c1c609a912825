package jar

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// v1Reader decodes a JSON cookie file the way the version 1 readers did
// (jar/jsonfile.go before "createdUnknown"): unknown fields are errors and
// the version must be 1.
func v1Reader(data []byte) error {
	type v1Entry struct {
		Name          string     `json:"name"`
		Value         string     `json:"value"`
		Domain        string     `json:"domain"`
		HostOnly      bool       `json:"hostOnly"`
		Path          string     `json:"path"`
		Expires       *time.Time `json:"expires,omitempty"`
		Persistent    bool       `json:"persistent"`
		Secure        bool       `json:"secure"`
		HttpOnly      bool       `json:"httpOnly"`
		SameSite      string     `json:"sameSite"`
		Partitioned   bool       `json:"partitioned,omitempty"`
		PartitionKey  string     `json:"partitionKey,omitempty"`
		Created       *time.Time `json:"created,omitempty"`
		LastAccess    *time.Time `json:"lastAccess,omitempty"`
		Version       int        `json:"version,omitempty"`
		Port          []int      `json:"port,omitempty"`
		Comment       string     `json:"comment,omitempty"`
		CommentURL    string     `json:"commentURL,omitempty"`
		NameB64       string     `json:"nameBase64,omitempty"`
		ValueB64      string     `json:"valueBase64,omitempty"`
		PathB64       string     `json:"pathBase64,omitempty"`
		CommentB64    string     `json:"commentBase64,omitempty"`
		CommentURLB64 string     `json:"commentURLBase64,omitempty"`
	}
	var f struct {
		Version int       `json:"version"`
		Cookies []v1Entry `json:"cookies"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return err
	}
	if f.Version != 1 {
		return errors.New("unsupported version")
	}
	return nil
}

// TestJSONVersions checks the JSON file versions: "createdUnknown" is not
// part of version 1 (whose readers reject unknown fields), so a file that
// needs it is version 2 and one that does not stays version 1; ReadJSON
// reads both and the version 1 files with "createdUnknown" written before
// the version was raised; every form round-trips.
func TestJSONVersions(t *testing.T) {
	known := Entry{Name: "a", Value: "1", Domain: "example.com", HostOnly: true, Path: "/",
		Created: tNow, LastAccess: tNow}
	unknown := known
	unknown.Name, unknown.CreatedUnknown = "b", true
	bare := known
	bare.Name, bare.Version, bare.Port, bare.PortBare = "c", 1, []int{8080}, true
	tests := []struct {
		name        string
		es          []Entry
		wantVersion int
	}{
		{"known creation-times: version 1", []Entry{known}, 1},
		{"no cookies: version 1", nil, 1},
		{"an unknown creation-time: version 2", []Entry{known, unknown}, 2},
		{"a bare RFC 2965 Port: version 3", []Entry{known, bare}, 3},
		{"a bare Port and an unknown creation-time: version 3", []Entry{unknown, bare}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, tt.es); err != nil {
				t.Fatal(err)
			}
			data := append([]byte(nil), buf.Bytes()...)
			var head struct{ Version int }
			if err := json.Unmarshal(data, &head); err != nil || head.Version != tt.wantVersion {
				t.Fatalf("written version %d (%v), want %d", head.Version, err, tt.wantVersion)
			}
			// What a version 1 reader does with it.
			if err := v1Reader(data); (err == nil) != (tt.wantVersion == 1) {
				t.Errorf("version 1 reader: %v", err)
			}
			got, err := ReadJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if !sameEntries(got, tt.es) {
				t.Errorf("read back %+v, want %+v", got, tt.es)
			}
			var again bytes.Buffer
			if err := WriteJSON(&again, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), data) {
				t.Errorf("second write differs:\n%s\nfirst:\n%s", again.Bytes(), data)
			}
		})
	}

	// A version 1 file that has "createdUnknown", as this package wrote
	// before the version was raised: read as written, rewritten as 2.
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []Entry{unknown}); err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(buf.String(), `"version": 2`, `"version": 1`, 1)
	got, err := ReadJSON(strings.NewReader(old))
	if err != nil || len(got) != 1 || !got[0].CreatedUnknown {
		t.Errorf("version 1 file with createdUnknown: %+v, %v", got, err)
	}

	for _, v := range []string{"0", "4", "-1"} {
		_, err := ReadJSON(strings.NewReader(`{"version": ` + v + `, "cookies": []}`))
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "unsupported version") {
			t.Errorf("version %s: got %v, want an unsupported version ParseError", v, err)
		}
	}
}
