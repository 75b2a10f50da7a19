package handlers

import (
	"fmt"

	tele "gopkg.in/telebot.v3"

	"memebot/bot"
)

// menu is the command menu per audience and language.
func menu(lang string, admin bool) []tele.Command {
	ru := lang == "ru"
	pick := func(en, r string) string {
		if ru {
			return r
		}
		return en
	}
	cmds := []tele.Command{
		{Text: "start", Description: pick("Get memes", "Получать мемы")},
		{Text: "lang", Description: pick("Languages of memes", "Языки мемов")},
		{Text: "stats", Description: pick("Your figures", "Твоя статистика")},
		{Text: "uploads", Description: pick("How your memes do", "Как заходят твои мемы")},
		{Text: "help", Description: pick("What I can do", "Что я умею")},
	}
	if admin {
		cmds = append(cmds,
			tele.Command{Text: "pause", Description: pick("Pause a background job", "Остановить задачу")},
			tele.Command{Text: "resume", Description: pick("Resume a background job", "Возобновить задачу")},
			tele.Command{Text: "promote", Description: pick("Make a user a moderator", "Сделать модератором")},
			tele.Command{Text: "demote", Description: pick("Remove a moderator", "Снять модератора")},
			tele.Command{Text: "broadcast", Description: pick("Message every user (reply to it)", "Сообщение всем (ответом на него)")},
		)
	}
	return cmds
}

// SetCommands registers the menu: users see theirs in private chats, and each
// admin gets the admin menu in their own chat (Telegram's chat scope). An
// admin who never wrote to the bot has no chat yet; they get the menu on /start.
func (h *Handlers) SetCommands(roles *bot.Roles) error {
	for _, lang := range []string{"", "ru"} {
		if err := h.Telegram.SetCommands(menu(lang, false), tele.CommandScope{Type: tele.CommandScopeAllPrivateChats}, lang); err != nil {
			return fmt.Errorf("set commands: %w", err)
		}
	}
	for _, id := range roles.AdminIDs() {
		if err := setAdminMenu(h.Telegram, id); err != nil {
			h.Log.Info("admin menu deferred until the admin writes to the bot", "admin_id", id, "error", err)
		}
	}
	return nil
}

func setAdminMenu(tg Telegram, chatID int64) error {
	for _, lang := range []string{"", "ru"} {
		if err := tg.SetCommands(menu(lang, true), tele.CommandScope{Type: tele.CommandScopeChat, ChatID: chatID}, lang); err != nil {
			return fmt.Errorf("set admin commands: %w", err)
		}
	}
	return nil
}
