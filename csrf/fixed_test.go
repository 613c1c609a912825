package csrf_test

import (
	"net/http"

	"github.com/httpstate/httpstate/csrf"
)

// fixedSecret is a SecretSource with one secret for every client.
type fixedSecret []byte

func (f fixedSecret) Secret(w http.ResponseWriter, r *http.Request, create bool) ([]byte, error) {
	return f, nil
}

var _ csrf.SecretSource = fixedSecret(nil)
