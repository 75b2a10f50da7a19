package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"sort"
)

// SchemaVersion is a short digest of every migration file: it changes whenever
// the schema does (tests key their template database on it).
func SchemaVersion() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrations, "migrations")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations, "migrations/"+n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
