package main

import "testing"

func TestExcluded(t *testing.T) {
	patterns := []string{"*.test.ts", "harness/targets/kubernetes/test-env"}
	cases := map[string]bool{
		"harness/a.test.ts":                         true,
		"a.test.ts":                                 true,
		"harness/a.ts":                              false,
		"harness/targets/kubernetes/test-env":       true,
		"harness/targets/kubernetes/test-env.ts":    false,
		"other/harness/targets/kubernetes/test-env": false,
	}
	for rel, want := range cases {
		if got := excluded(rel, patterns); got != want {
			t.Errorf("excluded(%q) = %v, want %v", rel, got, want)
		}
	}
}
