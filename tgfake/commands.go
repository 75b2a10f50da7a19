package tgfake

import (
	"cmp"
	"context"
	"regexp"
	"slices"
)

type commandKey struct {
	scope CommandScope
	lang  string
}

var (
	commandRE  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	scopeTypes = map[string]bool{"default": true, "all_private_chats": true, "all_group_chats": true, "all_chat_administrators": true, "chat": true, "chat_administrators": true, "chat_member": true}
	chatScoped = map[string]bool{"chat": true, "chat_administrators": true, "chat_member": true}
)

func (s *Server) getMe(context.Context, params) (any, *APIError) {
	return struct {
		User
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
	}{User: s.bot, CanJoinGroups: true}, nil
}

// commandKeyLocked reads scope and language_code; the default scope is "default".
func (s *Server) commandKeyLocked(p params) (commandKey, *APIError) {
	var scope CommandScope
	if err := p.json("scope", &scope); err != nil {
		return commandKey{}, err
	}
	if scope.Type == "" {
		scope.Type = "default"
	}
	if !scopeTypes[scope.Type] {
		return commandKey{}, badRequest("wrong bot command scope type specified")
	}
	if chatScoped[scope.Type] {
		if _, ok := s.chats[scope.ChatID]; !ok {
			return commandKey{}, errChatNotFound
		}
	} else {
		scope.ChatID = 0
	}
	if scope.Type == "chat_member" {
		if scope.UserID == 0 {
			return commandKey{}, badRequest("user not found")
		}
	} else {
		scope.UserID = 0
	}
	return commandKey{scope: scope, lang: p.str("language_code")}, nil
}

func (s *Server) setMyCommands(_ context.Context, p params) (any, *APIError) {
	var cmds []BotCommand
	if err := p.json("commands", &cmds); err != nil {
		return nil, err
	}
	for _, c := range cmds {
		if !commandRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.commandKeyLocked(p)
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		delete(s.cmds, key)
	} else {
		s.cmds[key] = cmds
	}
	return true, nil
}

// getMyCommands answers the list set for exactly this scope and language
// (an empty list when none is set), as the Bot API documents.
func (s *Server) getMyCommands(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.commandKeyLocked(p)
	if err != nil {
		return nil, err
	}
	return append([]BotCommand{}, s.cmds[key]...), nil
}

func (s *Server) deleteMyCommands(_ context.Context, p params) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.commandKeyLocked(p)
	if err != nil {
		return nil, err
	}
	delete(s.cmds, key)
	return true, nil
}

// Commands returns the commands set for exactly scope and lang (lang "" is the
// list for users without a dedicated one), like getMyCommands.
func (s *Server) Commands(scope CommandScope, lang string) []BotCommand {
	if scope.Type == "" {
		scope.Type = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.cmds[commandKey{scope: scope, lang: lang}]...)
}

// CommandSet is one registered command list.
type CommandSet struct {
	Scope        CommandScope `json:"scope"`
	LanguageCode string       `json:"language_code,omitempty"`
	Commands     []BotCommand `json:"commands"`
}

// AllCommands lists every registered command list.
func (s *Server) AllCommands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CommandSet, 0, len(s.cmds))
	for k, v := range s.cmds {
		out = append(out, CommandSet{Scope: k.scope, LanguageCode: k.lang, Commands: append([]BotCommand(nil), v...)})
	}
	slices.SortFunc(out, func(a, b CommandSet) int {
		return cmp.Or(cmp.Compare(a.Scope.Type, b.Scope.Type), cmp.Compare(a.Scope.ChatID, b.Scope.ChatID),
			cmp.Compare(a.Scope.UserID, b.Scope.UserID), cmp.Compare(a.LanguageCode, b.LanguageCode))
	})
	return out
}
