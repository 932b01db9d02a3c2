//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package prompter_test

import "golang.org/x/sys/unix"

const ioctlGetTermios = unix.TIOCGETA
