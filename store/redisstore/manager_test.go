package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpstate/httpstate/internal/testutil"
	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/redisstore"
)

// appInstance is one server of an application: its own Redis client, store
// and session.Manager, behind its own httptest server.
type appInstance struct {
	client redis.UniversalClient
	mgr    *session.Manager
	srv    *httptest.Server
}

// startApp starts an instance on the Redis at addr. Its routes:
//
//	/append?v=N   appends N to the session's "items" (session.Update)
//	/items        the session's items as JSON
//	/login?u=U    sets the principal to U and renews the ID
//	/whoami       the principal ("" for anonymous)
//	/logout-all   invalidates every session of the caller's principal
func startApp(t *testing.T, addr string, o *redis.Options) *appInstance {
	t.Helper()
	if o == nil {
		o = &redis.Options{}
	}
	o.Addr = addr
	return startAppOn(t, redis.NewClient(o))
}

// startAppOn is startApp on the client c, which it closes at cleanup.
func startAppOn(t *testing.T, c redis.UniversalClient) *appInstance {
	t.Helper()
	store, err := redisstore.New(c, &redisstore.Options{Prefix: "app:"})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(&session.Options{Store: store, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/append", func(w http.ResponseWriter, r *http.Request) {
		v, _ := strconv.Atoi(r.FormValue("v"))
		_, err := session.Update(session.FromRequest(r), "items", func(old []int, ok bool) ([]int, error) {
			return append(old, v), nil
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		items, _, err := session.Get[[]int](session.FromRequest(r), "items")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(items)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		if err := s.SetPrincipal(r.FormValue("u")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := s.Renew(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, session.FromRequest(r).Principal())
	})
	mux.HandleFunc("/logout-all", func(w http.ResponseWriter, r *http.Request) {
		p := session.FromRequest(r).Principal()
		n, err := mgr.InvalidatePrincipal(r.Context(), p)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		s := session.FromRequest(r)
		n, err := session.Update(s, "n", func(old int, ok bool) (int, error) { return old + 1, nil })
		if err != nil {
			return // the session layer answers (Options.ErrorHandler)
		}
		fmt.Fprint(w, n)
	})
	a := &appInstance{client: c, mgr: mgr, srv: httptest.NewServer(mgr.Handler(mux))}
	t.Cleanup(func() {
		a.srv.Close()
		mgr.Close()
		store.Close()
		c.Close()
	})
	return a
}

// newBrowser returns an HTTP client with its own cookie jar. Cookies are
// not port-specific (RFC 6265bis section 8.5), so one browser shares its
// session between the two instances, as behind a load balancer.
func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// get fetches url and returns the status and body.
func get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustGet(t testing.TB, c *http.Client, url string) string {
	t.Helper()
	code, body := get(t, c, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d %q, want 200", url, code, body)
	}
	return body
}

// TestTwoInstancesAppend: 100 concurrent session.Update calls split across
// two instances sharing one Redis lose nothing.
func TestTwoInstancesAppend(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	testAppend(t, []*appInstance{startApp(t, rs.Addr(), nil), startApp(t, rs.Addr(), nil)})
}

// TestTwoInstancesCluster: the same two scenarios on a 3-master Redis
// Cluster (a login's Renew moves the session across slots).
func TestTwoInstancesCluster(t *testing.T) {
	cl := testutil.StartRedisCluster(t, 3)
	newApp := func() *appInstance {
		return startAppOn(t, redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()}))
	}
	t.Run("Append", func(t *testing.T) { testAppend(t, []*appInstance{newApp(), newApp()}) })
	t.Run("LogoutEverywhere", func(t *testing.T) { testLogoutEverywhere(t, newApp(), newApp()) })
}

func testAppend(t *testing.T, apps []*appInstance) {
	b := newBrowser(t)
	mustGet(t, b, apps[0].srv.URL+"/count") // creates the session
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := b.Get(apps[i%2].srv.URL + "/append?v=" + strconv.Itoa(i))
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- resp.Status
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("append: %s", e)
	}
	for _, a := range apps {
		var items []int
		if err := json.Unmarshal([]byte(mustGet(t, b, a.srv.URL+"/items")), &items); err != nil {
			t.Fatal(err)
		}
		slices.Sort(items)
		if len(items) != n || items[0] != 0 || items[n-1] != n-1 || len(slices.Compact(items)) != n {
			t.Fatalf("items on %s: got %d (%v), want 0..%d once each", a.srv.URL, len(items), items, n-1)
		}
	}
}

// TestTwoInstancesLogoutEverywhere: a login on one instance is seen by the
// other, and "log out everywhere" on one ends the principal's sessions on
// both at once.
func TestTwoInstancesLogoutEverywhere(t *testing.T) {
	rs := testutil.StartRedis(t, nil)
	testLogoutEverywhere(t, startApp(t, rs.Addr(), nil), startApp(t, rs.Addr(), nil))
}

func testLogoutEverywhere(t *testing.T, a, b *appInstance) {
	laptop, phone, other := newBrowser(t), newBrowser(t), newBrowser(t)
	mustGet(t, laptop, a.srv.URL+"/login?u=alice")
	mustGet(t, phone, b.srv.URL+"/login?u=alice")
	mustGet(t, other, b.srv.URL+"/login?u=bob")
	for _, c := range []struct {
		browser *http.Client
		url     string
		want    string
	}{
		{laptop, b.srv.URL, "alice"}, {phone, a.srv.URL, "alice"}, {other, a.srv.URL, "bob"},
	} {
		if got := mustGet(t, c.browser, c.url+"/whoami"); got != c.want {
			t.Fatalf("whoami on the other instance = %q, want %q", got, c.want)
		}
	}
	if got := mustGet(t, phone, b.srv.URL+"/logout-all"); got != "2" {
		t.Fatalf("logout-all ended %s sessions, want 2", got)
	}
	for _, c := range []struct {
		browser *http.Client
		url     string
		want    string
	}{
		{laptop, a.srv.URL, ""}, {phone, a.srv.URL, ""}, {other, a.srv.URL, "bob"}, {other, b.srv.URL, "bob"},
	} {
		if got := mustGet(t, c.browser, c.url+"/whoami"); got != c.want {
			t.Errorf("whoami after logout-all = %q, want %q", got, c.want)
		}
	}
	metas, err := a.mgr.ByPrincipal(context.Background(), "alice")
	if err != nil || len(metas) != 0 {
		t.Errorf("ByPrincipal(alice) after logout-all = %v, %v; want none", metas, err)
	}
}
