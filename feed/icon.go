package feed

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"sync"
)

// The icon files Publish writes beside index.html and serve answers:
// favicon.ico for browsers and readers that look for it at the root,
// icon.png for the feeds' own icon and logo.
const (
	FaviconFile = "favicon.ico"
	IconFile    = "icon.png"
	// iconSize is the icon's width and height in pixels.
	iconSize = 64
)

var (
	iconOnce         sync.Once
	iconPNG, iconICO []byte
)

// IconPNG returns the icon as PNG: an orange rounded square with a white
// feed symbol (a dot and two arcs). The caller must not change the bytes.
func IconPNG() []byte {
	iconOnce.Do(makeIcons)
	return iconPNG
}

// FaviconICO returns the icon as an ICO file holding the PNG, which
// every browser since 2009 reads. The caller must not change the bytes.
func FaviconICO() []byte {
	iconOnce.Do(makeIcons)
	return iconICO
}

func makeIcons() {
	img := image.NewNRGBA(image.Rect(0, 0, iconSize, iconSize))
	orange := color.NRGBA{0xE8, 0x6A, 0x10, 0xFF}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	const n = float64(iconSize)
	const r = n * 0.18 // corner radius
	for y := range iconSize {
		for x := range iconSize {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			// Rounded square: outside the corner circles is transparent.
			cx, cy := math.Min(math.Max(fx, r), n-r), math.Min(math.Max(fy, r), n-r)
			if math.Hypot(fx-cx, fy-cy) > r {
				continue
			}
			c := orange
			// The feed symbol, centred on the lower-left corner area.
			ox, oy := n*0.22, n*0.78
			d := math.Hypot(fx-ox, fy-oy)
			switch {
			case d < n*0.09:
				c = white
			case fx >= ox-1 && fy <= oy+1 && ((d > n*0.26 && d < n*0.37) || (d > n*0.48 && d < n*0.59)):
				c = white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) // encoding to a bytes.Buffer does not fail
	iconPNG = buf.Bytes()
	// ICONDIR, one ICONDIRENTRY, then the PNG.
	ico := make([]byte, 0, 22+len(iconPNG))
	ico = binary.LittleEndian.AppendUint16(ico, 0) // reserved
	ico = binary.LittleEndian.AppendUint16(ico, 1) // type: icon
	ico = binary.LittleEndian.AppendUint16(ico, 1) // count
	ico = append(ico, iconSize, iconSize, 0, 0)    // width, height, colours, reserved
	ico = binary.LittleEndian.AppendUint16(ico, 1) // planes
	ico = binary.LittleEndian.AppendUint16(ico, 32)
	ico = binary.LittleEndian.AppendUint32(ico, uint32(len(iconPNG)))
	ico = binary.LittleEndian.AppendUint32(ico, 22) // offset
	iconICO = append(ico, iconPNG...)
}
