// Package bench compares httpstate with its peers on the same work in one run.
// It is a separate module so that the peers never enter httpstate's go.mod.
// See README.md for the commands and the latest medians.
package bench
