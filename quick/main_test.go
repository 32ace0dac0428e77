package main

import (
	"path/filepath"
	"testing"
)

// The data dir is found as the Node side finds it (electron/core/config.ts, resolveHome).
func TestHome(t *testing.T) {
	cases := []struct {
		boxscopeHome, xdg, home, want string
	}{
		{"/data/bx", "/xdg", "/home/u", "/data/bx"},
		{"  ", "/xdg", "/home/u", "/xdg/boxscope"},
		{"", "", "/home/u", "/home/u/.boxscope"},
	}
	for _, c := range cases {
		t.Setenv("BOXSCOPE_HOME", c.boxscopeHome)
		t.Setenv("XDG_DATA_HOME", c.xdg)
		t.Setenv("HOME", c.home)
		got, err := home()
		if err != nil || got != c.want {
			t.Errorf("home() with BOXSCOPE_HOME=%q XDG_DATA_HOME=%q HOME=%q = %q, %v; want %q", c.boxscopeHome, c.xdg, c.home, got, err, c.want)
		}
	}
	t.Setenv("BOXSCOPE_HOME", "rel/dir")
	got, _ := home()
	if !filepath.IsAbs(got) || filepath.Base(got) != "dir" {
		t.Errorf("a relative BOXSCOPE_HOME resolves against the current directory, got %q", got)
	}
}
