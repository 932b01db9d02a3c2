// Package ptytest runs a program on a pseudo-terminal in a test and plays the person at
// the keyboard, as survey's own tests do: a script waits for what the program writes,
// types keys, and reads the screen as a terminal emulator (vt10x) draws it. The
// emulator also answers the program's cursor queries.
//
// Every wait is bounded, and after a first failure the script's calls do nothing, so a
// broken program fails its test instead of hanging it. Only tests import this package;
// it works where pseudo-terminals do (Linux, macOS and the BSDs) and skips elsewhere.
package ptytest
