package tgfake

import "encoding/binary"

// probeMP4 reads width, height and duration (seconds) from an MP4's moov
// box; anything it cannot parse yields zeros (Telegram would probe harder).
func probeMP4(data []byte) (width, height, duration int) {
	moov := findBox(data, "moov")
	if moov == nil {
		return 0, 0, 0
	}
	if mvhd := findBox(moov, "mvhd"); len(mvhd) >= 32 {
		var timescale, dur uint64
		if mvhd[0] == 1 {
			timescale = uint64(binary.BigEndian.Uint32(mvhd[20:]))
			dur = binary.BigEndian.Uint64(mvhd[24:])
		} else {
			timescale = uint64(binary.BigEndian.Uint32(mvhd[12:]))
			dur = uint64(binary.BigEndian.Uint32(mvhd[16:]))
		}
		if timescale > 0 {
			duration = int((dur + timescale/2) / timescale)
		}
	}
	for rest := moov; ; {
		trak, next := nextBox(rest, "trak")
		if trak == nil {
			break
		}
		rest = next
		tkhd := findBox(trak, "tkhd")
		off := 76 // version 0: fields before width
		if len(tkhd) > 0 && tkhd[0] == 1 {
			off = 88
		}
		if len(tkhd) >= off+8 {
			w := int(binary.BigEndian.Uint32(tkhd[off:]) >> 16)
			h := int(binary.BigEndian.Uint32(tkhd[off+4:]) >> 16)
			if w > 0 && h > 0 {
				return w, h, duration
			}
		}
	}
	return 0, 0, duration
}

// findBox returns the payload of the first box named typ among data's boxes.
func findBox(data []byte, typ string) []byte {
	b, _ := nextBox(data, typ)
	return b
}

// nextBox returns the payload of the first box named typ and the bytes after it.
func nextBox(data []byte, typ string) (payload, rest []byte) {
	for len(data) >= 8 {
		size := uint64(binary.BigEndian.Uint32(data))
		header := uint64(8)
		switch size {
		case 0:
			size = uint64(len(data))
		case 1:
			if len(data) < 16 {
				return nil, nil
			}
			size, header = binary.BigEndian.Uint64(data[8:]), 16
		}
		if size < header || size > uint64(len(data)) {
			return nil, nil
		}
		if string(data[4:8]) == typ {
			return data[header:size], data[size:]
		}
		data = data[size:]
	}
	return nil, nil
}
