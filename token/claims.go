package token

import "github.com/golang-jwt/jwt/v5"

// Token uses (the "use" claim): an access token is never accepted where a
// refresh token is expected, nor the other way round.
const (
	UseAccess  = "access"
	UseRefresh = "refresh"
)

// Claims are the claims of the JWTs an Authority issues: the registered
// claims of RFC 7519 section 4.1 (iss, sub, aud, exp, nbf, iat, jti), the
// token's use, and, for tokens issued by Issue or Refresh, the refresh
// family they belong to.
type Claims struct {
	jwt.RegisteredClaims
	// Use is UseAccess or UseRefresh.
	Use string `json:"use"`
	// Family identifies the chain of refresh tokens that began at one
	// sign-in; every rotation keeps it. The access tokens issued with the
	// family's refresh tokens carry it too, and are revoked with it. Empty
	// on access tokens issued without a refresh token (IssueAccess).
	Family string `json:"fam,omitempty"`
	// Extra holds application claims (roles, scopes): the extra argument of
	// IssueAccess, Issue and Refresh, carried as the nested "ext" object so
	// it can never shadow a registered claim. Verify decodes it with
	// encoding/json: numbers come back as float64 (integers past 2^53 lose
	// precision, so carry such IDs as strings) and objects as
	// map[string]any.
	Extra map[string]any `json:"ext,omitempty"`
}
