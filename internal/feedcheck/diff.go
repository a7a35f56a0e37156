package feedcheck

import "sort"

// DifferingFiles names, sorted, the files in which two trees of published
// files (path to body) differ: each path of want whose body in got is not
// want's (a path missing from got counts as an empty body there), and each
// path only got has, marked " (extra)". Equal trees give none.
func DifferingFiles(got, want map[string]string) []string {
	var diff []string
	for k := range want {
		if got[k] != want[k] {
			diff = append(diff, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diff = append(diff, k+" (extra)")
		}
	}
	sort.Strings(diff)
	return diff
}
