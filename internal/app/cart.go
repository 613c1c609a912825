package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/httpstate/httpstate/session"
)

const (
	// cartAttr is the session attribute holding the cart, a JSON array of
	// strings.
	cartAttr = "cart"
	// maxItemLen is the longest item name accepted, in bytes.
	maxItemLen = 100
	// maxCartItems is the most items a cart holds.
	maxCartItems = 100
)

// errCartFull reports an item added to a full cart.
var errCartFull = errors.New("app: cart is full")

// cartResponse is the JSON body of the cart endpoints.
type cartResponse struct {
	Items []string `json:"items"`
}

// cart is GET /cart: the session's cart as JSON.
func (a *App) cart(w http.ResponseWriter, r *http.Request) {
	var items []string
	if s := session.FromRequest(r); s != nil {
		var err error
		if items, _, err = session.Get[[]string](s, cartAttr); err != nil {
			a.storeFailed(w, r, "reading the cart failed", err)
			return
		}
	}
	if items == nil {
		items = []string{}
	}
	writeJSON(w, http.StatusOK, cartResponse{Items: items})
}

// addToCart is POST /cart (field item). The item is appended with
// session.Update, atomically in the store, so two concurrent additions never
// lose one another. It answers 303 to / or, with Accept: application/json,
// 200 and the cart.
func (a *App) addToCart(w http.ResponseWriter, r *http.Request) {
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	item := strings.TrimSpace(r.PostFormValue("item"))
	if err := validItem(item); err != nil {
		if wantJSON {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		a.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s := session.FromRequest(r)
	if s == nil {
		a.internalError(w, r, "no session", errors.New("app: session middleware missing"))
		return
	}
	items, err := session.Update(s, cartAttr, func(old []string, _ bool) ([]string, error) {
		if len(old) >= maxCartItems {
			return nil, errCartFull
		}
		return append(old, item), nil
	})
	switch {
	case errors.Is(err, errCartFull):
		if wantJSON {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "the cart is full"})
			return
		}
		a.fail(w, r, http.StatusConflict, "The cart is full.")
		return
	case err != nil:
		a.storeFailed(w, r, "updating the cart failed", err)
		return
	}
	if wantJSON {
		writeJSON(w, http.StatusOK, cartResponse{Items: items})
		return
	}
	http.Redirect(w, r, s.EncodeRedirectURL("/"), http.StatusSeeOther)
}

// validItem checks an item name: 1 to maxItemLen bytes of valid UTF-8
// without control characters.
func validItem(item string) error {
	switch {
	case item == "":
		return errors.New("item is empty")
	case len(item) > maxItemLen:
		return fmt.Errorf("item is longer than %d bytes", maxItemLen)
	case !utf8.ValidString(item):
		return errors.New("item is not valid UTF-8")
	case strings.IndexFunc(item, unicode.IsControl) >= 0:
		return errors.New("item contains control characters")
	}
	return nil
}
