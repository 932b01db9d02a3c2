//go:build with_excelize

package main

import _ "github.com/xuri/excelize/v2"
