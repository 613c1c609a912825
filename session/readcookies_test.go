package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// decodeNothing is a Codec that reads no cookie, counting its attempts.
type decodeNothing struct{ decodes *int }

func (decodeNothing) Encode(*Record) (string, error) {
	return "", errors.New("decodeNothing: no Encode")
}

func (c decodeNothing) Decode(string) (*Record, error) {
	*c.decodes++
	return nil, errors.New("decodeNothing: not a session")
}

// missStore is a Store holding no session, counting its Loads.
type missStore struct {
	Store
	loads *int
}

func (s missStore) Load(context.Context, string) (*Record, bool, error) {
	*s.loads++
	return nil, false, nil
}

// TestCookieHeaderReadOnce: a request's Cookie header, up to Go's default
// 1 MB of header, is read once however many repeated cookies (chunk sets,
// candidate IDs, the old plain "sid" of a Secure Manager) are then tried;
// the tries themselves stay bounded. Before readCookies, loadCodec read the
// whole header once per chunk name per set tried (64 times for these
// requests in Codec mode, 128 with Secure's old-cookie check), so one
// request with repeated cookies cost tens of ms of CPU.
func TestCookieHeaderReadOnce(t *testing.T) {
	var id [idLen]byte
	newIDInto(&id)
	junk := string(id[:]) // a well-formed ID no store holds
	for _, tt := range []struct {
		name     string
		codec    bool
		secure   bool
		cookie   string // repeated 5 times
		maxTries int    // Decodes or Loads
	}{
		{"store", false, false, "sid=" + junk + "; ", maxTries},
		{"store-secure", false, true, "__Host-sid=" + junk + "; sid=" + junk + "; ", maxTries},
		{"codec", true, false, "sid=a; sid.1=b; sid.2=c; ", 2 * maxTries},
		{"codec-uneven", true, false, "sid=a; sid.1=b; sid=x; ", 2 * maxTries},
		{"codec-secure", true, true, "__Host-sid=a; __Host-sid.1=b; sid=a; sid.1=b; sid.7=c; ", 4 * maxTries},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tries := 0
			o := &Options{Store: missStore{loads: &tries}, SweepInterval: -1}
			if tt.codec {
				o = &Options{Codec: decodeNothing{decodes: &tries}, CookieChunks: 3}
			}
			o.Cookie.Secure = tt.secure
			m, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			reads := 0
			m.c.testHookReadCookies = func() { reads++ }
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := FromRequest(r).Get("n", new(int)); err != nil {
					t.Error(err)
				}
			}))
			req := httptest.NewRequest("GET", "/", nil)
			// Other cookies around, as a browser sends them.
			req.Header.Set("Cookie", "a=1; "+strings.Repeat(tt.cookie, 5)+"b=2")
			h.ServeHTTP(httptest.NewRecorder(), req)
			if reads != 1 {
				t.Errorf("the Cookie header was read %d times, want 1", reads)
			}
			if tries == 0 || tries > tt.maxTries {
				t.Errorf("%d Decodes or Loads, want 1 to %d", tries, tt.maxTries)
			}
			// A request whose handler never uses its session reads nothing.
			reads = 0
			m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
			if reads != 0 {
				t.Errorf("a request not using its session read the Cookie header %d times", reads)
			}
		})
	}
}
