package transcode_test

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/transcode"
)

// A 2.4:1 1080p source gets every rung up to its own short side, each
// keeping the shape with even sides; outputs land under the creator's
// prefixes.
func Example() {
	for _, v := range transcode.PlanVideo(transcode.VideoLadder, 2592, 1080) {
		fmt.Printf("%s %dx%d video %dk audio %dk\n", v.Name, v.Width, v.Height, v.VideoKbps, v.AudioKbps)
	}
	keys := transcode.KeysFor("creator1", uuid.MustParse("7f1c8a52-3b7e-4d6a-9a57-2f6d1c0e9b11"))
	fmt.Println(keys.Master)
	fmt.Println(keys.Thumbnail)
	// Output:
	// 1080p 2592x1080 video 5000k audio 192k
	// 720p 1728x720 video 3000k audio 128k
	// 480p 1152x480 video 1500k audio 96k
	// 360p 864x360 video 800k audio 64k
	// creator1/hls/7f1c8a52-3b7e-4d6a-9a57-2f6d1c0e9b11/master.m3u8
	// creator1/thumbnails/7f1c8a52-3b7e-4d6a-9a57-2f6d1c0e9b11/auto-generated.jpg
}
