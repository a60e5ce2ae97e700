package content

import "bytes"

// sniffLen is how many leading bytes sniffMatches needs.
const sniffLen = 12

// sniffMatches reports whether the first bytes of a file are plausible for
// the declared MIME type. It catches the common mistakes (a PNG or a text
// file sent as video/mp4) before a transcoder spends minutes on them; it is
// not a parser, and the transcoder remains the final judge.
func sniffMatches(mime string, b []byte) bool {
	at := func(off int, sig string) bool {
		return len(b) >= off+len(sig) && bytes.Equal(b[off:off+len(sig)], []byte(sig))
	}
	switch mime {
	case "video/mp4", "audio/mp4", "video/quicktime":
		for _, box := range []string{"ftyp", "moov", "mdat", "free", "wide", "skip", "pnot"} {
			if at(4, box) {
				return true
			}
		}
		return false
	case "video/webm", "audio/webm":
		return at(0, "\x1a\x45\xdf\xa3")
	case "video/x-msvideo":
		return at(0, "RIFF") && at(8, "AVI ")
	case "audio/wav":
		return at(0, "RIFF") && at(8, "WAVE")
	case "audio/ogg":
		return at(0, "OggS")
	case "audio/mpeg":
		return at(0, "ID3") || (len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0)
	}
	return false
}
