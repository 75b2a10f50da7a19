package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"memebot/tgfake"
)

const stateFileName = "tgfake.gob"

// stateFile keeps the fake Telegram's state on disk.
type stateFile struct {
	path string
	fake *tgfake.Server
	log  *slog.Logger
	mu   sync.Mutex // one save at a time
}

// load restores the fake from the file; a missing file is a fresh start.
func (f *stateFile) load() error {
	file, err := os.Open(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: open state: %w", err)
	}
	defer file.Close()
	if err := f.fake.LoadState(bufio.NewReader(file)); err != nil {
		return fmt.Errorf("sandbox: %s (start with --reset to discard it): %w", f.path, err)
	}
	return nil
}

// save writes the state to a temporary file and renames it over the old
// one, so a crash mid-save leaves the previous state intact.
func (f *stateFile) save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	tmp, err := os.CreateTemp(filepath.Dir(f.path), stateFileName+".*")
	if err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	w := bufio.NewWriter(tmp)
	err = f.fake.SaveState(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	return nil
}

// saveWhileChanging saves the state every interval when something happened
// in the fake since the last save, until ctx ends.
func (f *stateFile) saveWhileChanging(ctx context.Context, every time.Duration) {
	events, cancel := f.fake.Subscribe()
	defer cancel()
	tick := time.NewTicker(every)
	defer tick.Stop()
	dirty := false
	for {
		select {
		case <-ctx.Done():
			return
		case _, open := <-events:
			if !open {
				return
			}
			dirty = true
		case <-tick.C:
			if !dirty {
				continue
			}
			if err := f.save(); err != nil {
				f.log.Warn("sandbox state not saved", slog.Any("error", err))
				continue
			}
			dirty = false
		}
	}
}
