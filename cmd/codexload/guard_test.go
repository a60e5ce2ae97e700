package main

import (
	"context"
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestCheckTargetAcceptsLoopbackOnly(t *testing.T) {
	ctx := context.Background()
	for _, ok := range []string{"http://127.0.0.1:8080", "http://127.0.0.2:9", "http://[::1]:8080", "http://localhost:8080", "https://localhost"} {
		if _, err := checkTarget(ctx, ok, false); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.5:8080", "http://192.168.1.1", "http://0.0.0.0:8080", "http://8.8.8.8", "http://[2001:db8::1]:80",
		"http://[::ffff:10.0.0.1]:80"} {
		_, err := checkTarget(ctx, bad, false)
		if err == nil || !strings.Contains(err.Error(), "-allow-remote") {
			t.Errorf("%s: err = %v, want a refusal naming -allow-remote", bad, err)
		}
	}
	// A name that does not resolve is not known to be loopback.
	if _, err := checkTarget(ctx, "http://codexload.invalid:8080", false); err == nil {
		t.Error("an unresolvable host was accepted")
	}
}

func TestCheckTargetAllowRemote(t *testing.T) {
	is := is.New(t)
	u, err := checkTarget(context.Background(), "http://10.0.0.5:8080", true)
	is.NoErr(err)
	is.Equal(u.Host, "10.0.0.5:8080")
}

func TestCheckTargetRejectsMalformed(t *testing.T) {
	for _, bad := range []string{"localhost:8080", "ftp://127.0.0.1", "http://", "://x"} {
		if _, err := checkTarget(context.Background(), bad, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The dial-time hook is what holds when a name resolves differently at
// connect time than it did when the target was checked.
func TestLoopbackOnlyDialHook(t *testing.T) {
	is := is.New(t)
	is.NoErr(loopbackOnly("tcp4", "127.0.0.1:8080", nil))
	is.NoErr(loopbackOnly("tcp6", "[::1]:8080", nil))
	is.True(loopbackOnly("tcp4", "10.1.2.3:8080", nil) != nil)
	is.True(loopbackOnly("tcp6", "[2001:db8::1]:443", nil) != nil)
	is.True(loopbackOnly("tcp", "garbage", nil) != nil)
}

func TestClientRefusesRemoteDial(t *testing.T) {
	c := newClient(1, 0, false)
	// 192.0.2.0/24 is TEST-NET-1: never routed, and refused before any packet.
	_, err := c.Get("http://192.0.2.1:9/")
	if err == nil || !strings.Contains(err.Error(), "refusing to dial") {
		t.Fatalf("err = %v, want a dial refusal", err)
	}
}
