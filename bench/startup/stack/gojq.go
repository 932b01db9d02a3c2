//go:build with_gojq

package main

import _ "github.com/itchyny/gojq"
