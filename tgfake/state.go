package tgfake

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
)

// stateVersion is bumped when the saved state's layout changes incompatibly.
const stateVersion = 1

// savedState is the durable part of a Server: what a person looking at the
// chats would miss after a restart. Pending updates, callback answers,
// recorded calls, faults, latency and the webhook are left out: the bot
// starts over with them anyway.
type savedState struct {
	Version  int
	Users    []User
	Blocked  []int64
	Chats    []savedChat // in creation order
	Files    []savedFile
	Commands []savedCommands
	Seq      savedSeq
}

type savedSeq struct {
	File, Callback, MediaGroup, Event, Update int
}

type savedChat struct {
	Chat      Chat
	NextID    int
	BotLeft   bool
	Members   map[int64]string
	Reactions map[int]map[int64][]ReactionType
	Messages  []savedMessage
}

type savedMessage struct {
	Message Message
	FromBot bool
}

type savedFile struct {
	ID, UniqueID, Kind, Name, MIME, Path string
	Data                                 []byte
	Width, Height, Duration              int
	SmallerID                            string
}

type savedCommands struct {
	Scope    CommandScope
	Lang     string
	Commands []BotCommand
}

// SaveState writes the server's chats, messages (edits and deletions
// included), files, users, blocks and command lists to w, so that LoadState
// can bring a later server back to the same place (the sandbox keeps its
// world between runs this way). The format is gob, private to this package.
func (s *Server) SaveState(w io.Writer) error {
	st := s.snapshot()
	if err := gob.NewEncoder(w).Encode(st); err != nil {
		return fmt.Errorf("tgfake: save state: %w", err)
	}
	return nil
}

func (s *Server) snapshot() savedState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := savedState{Version: stateVersion, Seq: savedSeq{
		File: s.seq.file, Callback: s.seq.callback, MediaGroup: s.seq.mediaGroup,
		Event: s.seq.event, Update: s.updates.nextID,
	}}
	for _, u := range s.users {
		st.Users = append(st.Users, u)
	}
	for id, blocked := range s.blocked {
		if blocked {
			st.Blocked = append(st.Blocked, id)
		}
	}
	for _, id := range s.chatIDs {
		st.Chats = append(st.Chats, saveChat(s.chats[id]))
	}
	for _, f := range s.files { // file bytes never change once stored, so they are shared
		sf := savedFile{ID: f.id, UniqueID: f.uniqueID, Kind: f.kind, Name: f.name, MIME: f.mime, Path: f.path,
			Data: f.data, Width: f.width, Height: f.height, Duration: f.duration}
		if f.smaller != nil {
			sf.SmallerID = f.smaller.id
		}
		st.Files = append(st.Files, sf)
	}
	for k, cmds := range s.cmds {
		st.Commands = append(st.Commands, savedCommands{Scope: k.scope, Lang: k.lang, Commands: append([]BotCommand(nil), cmds...)})
	}
	return st
}

func saveChat(cs *chatState) savedChat {
	sc := savedChat{Chat: cs.chat, NextID: cs.nextID, BotLeft: cs.botLeft,
		Members: map[int64]string{}, Reactions: map[int]map[int64][]ReactionType{}}
	for id, status := range cs.members {
		sc.Members[id] = status
	}
	for msgID, byUser := range cs.reacts {
		sc.Reactions[msgID] = map[int64][]ReactionType{}
		for u, r := range byUser {
			sc.Reactions[msgID][u] = append([]ReactionType(nil), r...)
		}
	}
	for _, m := range cs.msgs {
		sc.Messages = append(sc.Messages, savedMessage{Message: m.clone(), FromBot: m.sentByBot})
	}
	return sc
}

// LoadState replaces the server's chats, messages, files, users, blocks and
// command lists with those SaveState wrote. Call it before the server is used.
func (s *Server) LoadState(r io.Reader) error {
	var st savedState
	if err := gob.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("tgfake: load state: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("tgfake: load state: version %d, want %d", st.Version, stateVersion)
	}
	files, paths, err := restoreFiles(st.Files)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files, s.paths = files, paths
	s.users = map[int64]User{}
	for _, u := range st.Users {
		s.users[u.ID] = u
	}
	s.blocked = map[int64]bool{}
	for _, id := range st.Blocked {
		s.blocked[id] = true
	}
	s.chats, s.chatIDs = map[int64]*chatState{}, nil
	for _, sc := range st.Chats {
		s.chats[sc.Chat.ID] = restoreChat(sc)
		s.chatIDs = append(s.chatIDs, sc.Chat.ID)
	}
	s.cmds = map[commandKey][]BotCommand{}
	for _, c := range st.Commands {
		s.cmds[commandKey{scope: c.Scope, lang: c.Lang}] = c.Commands
	}
	s.seq.file, s.seq.callback, s.seq.mediaGroup, s.seq.event = st.Seq.File, st.Seq.Callback, st.Seq.MediaGroup, st.Seq.Event
	s.updates.nextID = st.Seq.Update
	s.notifyLocked()
	return nil
}

func restoreFiles(saved []savedFile) (map[string]*storedFile, map[string]*storedFile, error) {
	files := make(map[string]*storedFile, len(saved))
	paths := map[string]*storedFile{}
	for _, sf := range saved {
		f := &storedFile{id: sf.ID, uniqueID: sf.UniqueID, kind: sf.Kind, name: sf.Name, mime: sf.MIME, path: sf.Path,
			data: sf.Data, width: sf.Width, height: sf.Height, duration: sf.Duration}
		files[f.id] = f
		if f.path != "" {
			paths[f.path] = f
		}
	}
	for _, sf := range saved {
		if sf.SmallerID == "" {
			continue
		}
		small, ok := files[sf.SmallerID]
		if !ok {
			return nil, nil, errors.New("tgfake: load state: a photo's smaller size is missing")
		}
		files[sf.ID].smaller = small
	}
	return files, paths, nil
}

func restoreChat(sc savedChat) *chatState {
	cs := newChatState(sc.Chat)
	cs.nextID, cs.botLeft = sc.NextID, sc.BotLeft
	if sc.Members != nil {
		cs.members = sc.Members
	}
	if sc.Reactions != nil {
		cs.reacts = sc.Reactions
	}
	for _, sm := range sc.Messages {
		m := sm.Message
		m.sentByBot = sm.FromBot
		cs.msgs = append(cs.msgs, &m)
		cs.byID[m.MessageID] = &m
	}
	return cs
}
