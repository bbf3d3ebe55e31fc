//go:build race

package dateparser_test

const raceEnabled = true
