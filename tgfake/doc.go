// Package tgfake is a fake Telegram Bot API server for tests and the sandbox.
//
// A Server is an http.Handler. Point telebot at it with Settings.URL:
//
//	srv := tgfake.New(tgfake.Options{Token: "123:ABC", BotUsername: "memebot_test_bot"})
//	ts := httptest.NewServer(srv)
//	defer ts.Close(); defer srv.Close()
//	bot, _ := tele.NewBot(tele.Settings{URL: ts.URL, Token: "123:ABC",
//		Poller: &tele.LongPoller{Timeout: time.Second}})
//
// # Bot API side
//
// Served at /bot<token>/<method> (method names case-insensitive) and
// /file/bot<token>/<file_path>. Parameters are read from the query string and
// from JSON, urlencoded or multipart bodies; JSON-serialised fields
// (reply_markup, entities, media, scope ...) may be objects or strings.
// Answers are {"ok":true,"result":...} or {"ok":false,"error_code":N,
// "description":"..."} with Telegram's wording: 401 Unauthorized for a wrong
// token, 404 Not Found for unknown methods, 400 chat not found, message is not
// modified, message to edit not found, query is too old..., 403 bot was
// blocked by the user, 409 Conflict for getUpdates beside a webhook or
// another getUpdates, 429 with parameters.retry_after.
//
// Methods: getMe, getUpdates, setWebhook, deleteWebhook, getWebhookInfo,
// sendMessage, sendPhoto, sendVideo, sendAnimation, sendDocument,
// sendMediaGroup, copyMessage, forwardMessage, editMessageText,
// editMessageCaption, editMessageReplyMarkup, editMessageMedia, deleteMessage,
// answerCallbackQuery, setMyCommands, getMyCommands, deleteMyCommands,
// getFile, getChat, getChatMember, sendChatAction, setMessageReaction,
// leaveChat, answerInlineQuery.
//
// Faithful: getUpdates offsets (updates stay until an offset above them
// confirms them; negative offsets), limit, long-poll timeout, allowed_updates
// remembered between calls and applied when updates are created (default:
// all but chat_member, message_reaction, message_reaction_count); a newer
// getUpdates ends an older one with 409; webhooks POST updates in order with
// X-Telegram-Bot-Api-Secret-Token and retry until a 2xx. Messages carry chat
// type, Unix date, from = the bot (sender_chat in channels), per-chat
// increasing message_id, the inline keyboard echoed back (other keyboards
// are not, as on Telegram), reply_to_message, photo as PhotoSize array
// (smallest first) with real decoded dimensions, animation + document on
// animation messages, video size/duration probed from the MP4 moov box.
// Edits without reply_markup remove the keyboard; identical edits fail with
// "message is not modified". copyMessage answers a MessageId. parse_mode
// HTML is parsed into entities (with Telegram's error texts for bad tags).
// Uploaded files get a file_id and file_unique_id; sending by file_id reuses
// them; getFile mints a file_path and the download serves the exact bytes.
// Inline mode: inline_query updates; answerInlineQuery accepts one answer
// (at most 50 results, unique ids, cached file_ids of the right kind, titles
// where required, next_offset up to 64 bytes, a start button's parameter of
// [A-Za-z0-9_-]{1,64}); a chosen result is posted as the user's message with
// via_bot and reported as chosen_inline_result (inline feedback on). A
// forwarded message carries forward_origin (channel, user or chat).
//
// Simplified: URLs as InputFile are refused ("failed to get HTTP URL
// content"); Markdown/MarkdownV2 text is kept verbatim; photos keep their
// original bytes as the largest size and add one real JPEG downscale
// (longest side 320 px, own file_id) when larger; inline results by URL,
// editing inline messages, polls,
// stickers, payments and topics are absent; the bot is an administrator of
// every group (sees all messages, may delete any); message_id counts per
// chat; callback queries never expire on their own; webhook URLs may be
// plain http; error wording for rarer cases is approximate.
//
// Faults: Fail(method, n, Fault) makes the next n calls fail before they
// have any effect; 502/504 come back as nginx HTML like Telegram's front
// end. SetLatency delays every call. Every call is recorded (Calls).
//
// # Scenario API
//
// Go: CreateChat, SendText, ReplyText, SendPhoto, SendVideo, SendAnimation,
// SendDocument, SendMedia, EditText, PressButton, PressButtonLabeled, React,
// SendRawUpdate, BlockBot, UnblockBot, SetMemberStatus, SetBotMember,
// SendInlineQuery, InlineAnswerFor, ChooseInlineResult, PressInlineButton,
// SwitchInlineQuery, ForwardMessage, Transcript, Message,
// WaitMessage, CallbackAnswer, Calls, FileBytes, Commands, AllCommands,
// Subscribe, Fail, ClearFaults, SetLatency, PendingUpdates.
//
// HTTP (JSON in and out; "user" is a User object, the chat is "chat_id" of
// a known chat or "chat" as an object, default the user's private chat):
//
//	GET  /_fake/bot                    the bot user
//	GET  /_fake/chats                  known chats
//	POST /_fake/chats                  create a chat: Chat object
//	GET  /_fake/chats/{id}/messages    transcript (with from_bot, deleted, edit_count, media_url)
//	POST /_fake/messages               {"user","chat_id","text","reply_to"}: a user writes
//	POST /_fake/media                  multipart: user (JSON), chat_id, kind, caption, file
//	POST /_fake/press                  {"user","chat_id","message_id","data"|"label"} -> {"callback_query_id"}
//	GET  /_fake/callbacks/{id}         {"answered","answer"}
//	POST /_fake/reactions              {"user","chat_id","message_id","emojis":[...]}
//	POST /_fake/updates                a raw update object -> {"update_id"}
//	POST /_fake/block                  {"user_id","blocked":true|false}
//	GET  /_fake/files/{file_id}        the stored bytes
//	GET  /_fake/calls?method=          recorded Bot API calls
//	POST /_fake/faults                 {"method","n","fault":{"code","description","retry_after"}}
//	GET  /_fake/commands               registered command lists
//	POST /_fake/inline_queries         {"user","query","offset","chat_type"} -> {"inline_query_id"}
//	GET  /_fake/inline_queries/{id}    {"answered","answer"}
//	POST /_fake/inline_queries/{id}/choose  {"result_id","chat_id"|"chat"}: the user picks a result
//	POST /_fake/inline_queries/{id}/start   the user presses the start button above the results
//	POST /_fake/forward                {"user","chat_id","from_chat_id","message_id"}: a user forwards
//	POST /_fake/chats/{id}/bot_member  {"member":false}: the bot is not in that chat
//	GET  /_fake/events                 server-sent events: event: message|edited|deleted|callback_answer|chat_action
package tgfake
