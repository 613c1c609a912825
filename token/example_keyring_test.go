package token_test

import (
	"fmt"

	"github.com/httpstate/httpstate/token"
)

// Keys rotate in three steps: deploy the new key last, promote it first,
// retire the old key once nothing it sealed is still alive.
func ExampleKeyring() {
	k1, k2 := token.GenerateKey(1), token.GenerateKey(2)
	ring, err := token.NewKeyring(k1)
	if err != nil {
		panic(err)
	}
	sealed := ring.Encrypt([]byte("user=42"), []byte("cookie:sid"))

	rotated, _ := token.NewKeyring(k2, k1) // step 2: k2 encrypts, k1 still decrypts
	plain, err := rotated.Decrypt(sealed, []byte("cookie:sid"))
	fmt.Println(string(plain), err, rotated.CurrentID())

	_, err = rotated.Decrypt(sealed, []byte("cookie:other"))
	fmt.Println(err != nil)
	// Output:
	// user=42 <nil> 2
	// true
}
