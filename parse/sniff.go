package parse

// sniffBytes is how much of a UTF-16 page narrowUTF16 looks at: more
// than looksHTML reads.
const sniffBytes = 8 << 10

// narrowUTF16 returns the start of a page that begins with a UTF-16 byte
// order mark as one byte a code unit, the other (zero, for ASCII)
// dropped, so that the page's markup can be sniffed as bytes; other data
// is returned as it is. A code unit above ASCII becomes 0xFF.
func narrowUTF16(data []byte) []byte {
	if len(data) < 2 {
		return data
	}
	var lo int // the index, in a code unit, of the byte that carries ASCII
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
		lo = 0
	case data[0] == 0xFE && data[1] == 0xFF:
		lo = 1
	default:
		return data
	}
	data = data[2:min(len(data), sniffBytes)]
	out := make([]byte, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		c, hi := data[i+lo], data[i+1-lo]
		if hi != 0 || c > 0x7F {
			c = 0xFF
		}
		out = append(out, c)
	}
	return out
}
