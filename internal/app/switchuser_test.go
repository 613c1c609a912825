package app

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestLoginOverAnotherUser: when bob signs in over alice's session (a shared
// browser, no logout in between), alice's cart is gone; when alice signs in
// again over her own session, it stays.
func TestLoginOverAnotherUser(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	c := newClient(t, srv.URL)
	c.mustLogin("alice", "alice")
	if r := c.post("/cart", url.Values{"item": {"ring"}, "csrf_token": {c.token()}}); r.status != http.StatusSeeOther {
		t.Fatalf("POST /cart: status %d, want 303", r.status)
	}
	c.mustLogin("alice", "alice")
	if got, want := c.cart(), []string{"ring"}; !reflect.DeepEqual(got, want) {
		t.Errorf("cart after alice signs in again = %q, want %q", got, want)
	}
	c.mustLogin("bob", "bob")
	if body := c.get("/").body; !strings.Contains(body, `id="user">bob<`) {
		t.Fatalf("home after bob's login does not name bob")
	}
	if got := c.cart(); len(got) != 0 {
		t.Errorf("bob sees the cart %q of the previous user", got)
	}
}
