package tgfake

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif" // register decoders for image.DecodeConfig
	"image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"strings"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

const (
	maxDownload  = 20 << 20 // Bot API getFile limit
	thumbMaxSide = 320
)

// storedFile is an uploaded file. A photo upload yields one storedFile per
// size: the original bytes for the largest size and, for images larger than
// 320px, a real JPEG downscale for the small size (Telegram re-encodes every
// size; the fake keeps the original bytes so downloads are byte-identical).
type storedFile struct {
	id, uniqueID string
	kind         string // photo, video, animation, document
	name, mime   string
	data         []byte
	width        int
	height       int
	duration     int
	path         string      // assigned by getFile, as on Telegram
	smaller      *storedFile // photo: the thumbnail size
}

func (f *storedFile) photoSize() PhotoSize {
	return PhotoSize{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: len(f.data)}
}

// photoSizes lists sizes smallest first; clients take the last as the best.
func (f *storedFile) photoSizes() []PhotoSize {
	if f.smaller == nil {
		return []PhotoSize{f.photoSize()}
	}
	return []PhotoSize{f.smaller.photoSize(), f.photoSize()}
}

// registerLocked mints ids for f. Call with s.mu held.
func (s *Server) registerLocked(f *storedFile) {
	s.seq.file++
	f.id = fmt.Sprintf("tgfake-%s-%d", f.kind, s.seq.file)
	f.uniqueID = fmt.Sprintf("u%d", s.seq.file)
	s.files[f.id] = f
}

// newUpload stores uploaded bytes as a file of kind. Decoding happens
// without the lock held.
func (s *Server) newUpload(kind string, up upload, fileName string) (*storedFile, *APIError) {
	f := &storedFile{kind: kind, name: up.Name, data: up.Data}
	if fileName != "" {
		f.name = fileName
	}
	f.mime = detectMIME(f.name, up.Data)
	if up.MIME != "" && up.MIME != "application/octet-stream" && kind == "document" {
		f.mime = up.MIME // a declared type wins; telebot always declares octet-stream
	}
	var thumb *storedFile
	switch kind {
	case "photo":
		cfg, _, err := image.DecodeConfig(bytes.NewReader(up.Data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		f.width, f.height, f.name = cfg.Width, cfg.Height, ""
		thumb = makeThumbnail(up.Data, cfg)
	case "video", "animation":
		f.width, f.height, f.duration = probeMP4(up.Data)
	}
	if kind == "document" && f.name == "" {
		f.name = "document"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if thumb != nil {
		s.registerLocked(thumb)
		f.smaller = thumb
	}
	s.registerLocked(f)
	return f, nil
}

func detectMIME(name string, data []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return t
	}
	t, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return t
}

// makeThumbnail returns a JPEG downscale to thumbMaxSide, or nil when the
// image is small enough or cannot be decoded (refusing decompression bombs).
func makeThumbnail(data []byte, cfg image.Config) *storedFile {
	side := max(cfg.Width, cfg.Height)
	if side <= thumbMaxSide || cfg.Width*cfg.Height > 50_000_000 {
		return nil
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	w := max(1, cfg.Width*thumbMaxSide/side)
	h := max(1, cfg.Height*thumbMaxSide/side)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil
	}
	return &storedFile{kind: "photo", mime: "image/jpeg", data: buf.Bytes(), width: w, height: h}
}

// resolveInput reads the InputFile in field: an uploaded part, an
// "attach://name" reference, or a file_id. URLs are refused (no internet).
func (s *Server) resolveInput(kind, field string, p params) (*storedFile, *APIError) {
	if up, ok := p.files[field]; ok {
		return s.newUpload(kind, up, p.str("file_name"))
	}
	ref := strings.TrimSpace(p.str(field))
	if ref == "" {
		return nil, badRequest("there is no %s in the request", field)
	}
	return s.resolveRef(kind, ref, p, "")
}

func (s *Server) resolveRef(kind, ref string, p params, fileName string) (*storedFile, *APIError) {
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		up, ok := p.files[name]
		if !ok {
			return nil, badRequest("wrong HTTP URL specified")
		}
		return s.newUpload(kind, up, fileName)
	}
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return nil, badRequest("failed to get HTTP URL content")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[ref]
	if !ok {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if (f.kind == "photo") != (kind == "photo") {
		return nil, badRequest("type of file mismatch")
	}
	return f, nil
}

func (s *Server) getFile(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[p.str("file_id")]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > maxDownload {
		return nil, badRequest("file is too big")
	}
	if f.path == "" {
		f.path = fmt.Sprintf("%ss/file_%d%s", f.kind, len(s.paths), fileExt(f))
		s.paths[f.path] = f
	}
	return File{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: len(f.data), FilePath: f.path}, nil
}

func fileExt(f *storedFile) string {
	if ext := path.Ext(f.name); ext != "" {
		return ext
	}
	if exts, _ := mime.ExtensionsByType(f.mime); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// serveFile answers /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	if !ok || token != s.opts.Token {
		writeAPIError(w, errUnauthorized)
		return
	}
	s.mu.Lock()
	f, ok := s.paths[filePath]
	s.mu.Unlock()
	if !ok {
		writeAPIError(w, errNotFound)
		return
	}
	writeFileBytes(w, f)
}

func writeFileBytes(w http.ResponseWriter, f *storedFile) {
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Content-Length", fmt.Sprint(len(f.data)))
	_, _ = w.Write(f.data)
}

// FileBytes returns the stored bytes of a file_id (any photo size included).
func (s *Server) FileBytes(fileID string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		return nil, fmt.Errorf("tgfake: file %q: %w", fileID, ErrFileNotFound)
	}
	return bytes.Clone(f.data), nil
}
