package access_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/access"
)

// A grant covers a media item's whole HLS prefix: the master playlist and,
// through the relative URIs inside it, every variant and segment.
func ExampleSigner() {
	s := access.NewSigner("https://media.example.com", []byte("an example key of at least 32 bytes"))
	media := uuid.MustParse("0b6e8f6a-3c1d-4f53-9a43-2d0c1b7a9e10")
	u := s.Sign(media, "creator1", time.Now().Add(time.Hour), "master.m3u8")
	tok := strings.Split(strings.TrimPrefix(u, "https://media.example.com/api/access/hls/"), "/")[0]
	c, ok := s.Verify(tok)
	fmt.Println(ok, c.Prefix())
	// Output: true creator1/hls/0b6e8f6a-3c1d-4f53-9a43-2d0c1b7a9e10/
}
