package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// The tool sends requests as fast as the server answers them and, for
// webhook ingestion, records real purchases. Aimed at a shared or
// production host by a typo it is a denial of service and a pile of bogus
// orders, and across a network it measures the network rather than Codex.
// So by default it talks to loopback only, checked both up front (for a
// clear message) and on every dial (so DNS answering differently later
// cannot redirect the load).

// checkTarget validates the base URL and, unless allowRemote, that every
// address its host resolves to is a loopback address.
func checkTarget(ctx context.Context, raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %v", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want http(s)://host[:port]", raw)
	}
	if allowRemote {
		return u, nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !isLoopback(ip) {
			return nil, notLoopback(raw)
		}
		return u, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %v (refusing a target that is not known to be loopback)", raw, err)
	}
	for _, a := range addrs {
		if !isLoopback(a) {
			return nil, notLoopback(raw)
		}
	}
	return u, nil
}

func notLoopback(raw string) error {
	return fmt.Errorf("base URL %q is not a loopback address; codexload generates full-speed load and records purchases, "+
		"so it only targets this machine unless -allow-remote is given", raw)
}

func isLoopback(ip netip.Addr) bool { return ip.Unmap().IsLoopback() }

// loopbackOnly is a net.Dialer Control hook refusing any non-loopback peer.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !isLoopback(ip) {
		return fmt.Errorf("codexload: refusing to dial non-loopback %s (use -allow-remote)", address)
	}
	return nil
}
