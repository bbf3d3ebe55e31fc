//go:build !race

package dateparser_test

const raceEnabled = false
