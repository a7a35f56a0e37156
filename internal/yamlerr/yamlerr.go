// Package yamlerr finds the line of a YAML syntax error. go.yaml.in/yaml/v3
// reports where the construct being parsed began, counted from 0 for
// parser errors and from 1 for scanner errors, or no line at all when that
// is the first one: an unclosed "[" on line 7 comes out as line 6, a tab on
// line 3 as the line of the value before it. Editors need the line to
// look at, so Locate finds it again from the text.
package yamlerr

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// budget bounds the bytes Locate parses again: it parses prefixes of the
// text, and a long file must not make a rejection slow.
const budget = 4 << 20

// reLine is compiled on first use: only a rejected file needs it, and the
// functions' start-up does not pay for it.
var reLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): `) })

// Locate returns the 1-based line of data where the YAML error err (from
// yaml.Unmarshal of data) is, and its message without "yaml: line N:".
// The line is the first one from which every longer prefix of the text
// fails to parse: an unclosed bracket or quote is reported where it opens,
// a misplaced tab or a badly indented key where it is written. Errors that
// are not syntax errors (a *yaml.TypeError) keep the lines yaml gives.
func Locate(data []byte, err error) (line int, message string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	reported := 0
	if m := reLine().FindStringSubmatch(msg); m != nil {
		reported, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if te != nil {
		return max(reported, 1), msg
	}
	return locate(data, reported), msg
}

// locate searches the prefixes of data, one more line at a time, from
// shortly before the reported line: yaml reports where the construct that
// failed began, perhaps counted from 0, or, when that is line 1, where it
// failed.
func locate(data []byte, reported int) int {
	ends := lineEnds(data)
	n := len(ends)
	if n == 0 {
		return 1
	}
	// The first line, then from shortly before the reported one: when the
	// construct began on line 1, yaml reports the line it failed on.
	spent := 0
	found := 0
	for k := 1; k <= n; k++ {
		if k == 2 {
			k = max(reported-1, 2)
			if k > n {
				break
			}
		}
		prefix := data[:ends[k-1]]
		if spent += len(prefix); spent > budget {
			break
		}
		if parses(prefix) {
			found = 0 // a construct that was still open closed: look further
			continue
		}
		if found == 0 {
			found = k
		}
	}
	if found == 0 {
		// Out of budget, or every prefix parses (the error needs the
		// whole text): trust yaml, which is then at most one line short.
		return max(reported, 1)
	}
	return found
}

func parses(b []byte) bool {
	var n yaml.Node
	return yaml.Unmarshal(b, &n) == nil
}

// lineEnds returns the offset just past each line of data (its newline
// included).
func lineEnds(data []byte) []int {
	var ends []int
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			ends = append(ends, len(data))
			break
		}
		i += j + 1
		ends = append(ends, i)
	}
	return ends
}
