//go:build with_sqlite

package main

import _ "modernc.org/sqlite"
