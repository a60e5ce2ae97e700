package server

import (
	"fmt"
	"strconv"
)

// Surface is one of the eight HTTP APIs of the platform. Each can be served
// alone (on its own port) or together with the others on one handler.
type Surface string

// The surfaces, named as in the reference platform.
const (
	Auth          Surface = "auth"
	Content       Surface = "content-api"
	Organization  Surface = "organization-api"
	Ecom          Surface = "ecom-api"
	Admin         Surface = "admin-api"
	Identity      Surface = "identity-api"
	Notifications Surface = "notifications-api"
	Media         Surface = "media-api"
)

var surfaces = []struct {
	s     Surface
	port  int
	mount func(*router)
}{
	{Auth, 42069, mountAuth},
	{Content, 4001, mountContent},
	{Organization, 42071, mountOrganization},
	{Ecom, 42072, mountEcom},
	{Admin, 42073, mountAdmin},
	{Identity, 42074, mountIdentity},
	{Notifications, 42075, mountNotifications},
	{Media, 4002, mountMedia},
}

// Surfaces lists every surface in a stable order.
func Surfaces() []Surface {
	out := make([]Surface, len(surfaces))
	for i, e := range surfaces {
		out[i] = e.s
	}
	return out
}

// ParseSurface returns the surface with the given name ("content-api").
func ParseSurface(name string) (Surface, error) {
	for _, e := range surfaces {
		if string(e.s) == name {
			return e.s, nil
		}
	}
	return "", fmt.Errorf("unknown surface %q (want one of %v)", name, Surfaces())
}

// Port is the surface's port in the reference deployment (content-api 4001,
// auth 42069, ...); 0 for an unknown surface.
func (s Surface) Port() int {
	for _, e := range surfaces {
		if e.s == s {
			return e.port
		}
	}
	return 0
}

// Addr is ":<Port>", the default listen address when the surface runs alone.
func (s Surface) Addr() string { return ":" + strconv.Itoa(s.Port()) }

func (s Surface) mount() func(*router) {
	for _, e := range surfaces {
		if e.s == s {
			return e.mount
		}
	}
	return nil
}
