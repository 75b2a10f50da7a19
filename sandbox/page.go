package sandbox

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"

	"memebot/tgfake"
)

// web is the page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web
var web embed.FS

// newMux serves the page at /, the fake Telegram under /tg/ (Bot API and
// scenario API alike), the page's settings at /sandbox/info, and the bot's
// operational endpoints through ops.
func newMux(fake *tgfake.Server, ops *opsProxy) *http.ServeMux {
	mux := http.NewServeMux()
	static, _ := fs.Sub(web, "web") // the directory is embedded, so this cannot fail
	mux.Handle("/", http.FileServerFS(static))
	mux.Handle(apiPath+"/", http.StripPrefix(apiPath, fake))
	mux.HandleFunc("GET /sandbox/info", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(pageInfo(fake))
	})
	for _, p := range []string{"GET /healthz", "GET /readyz", "GET /metrics"} {
		mux.Handle(p, ops)
	}
	return mux
}

// info is what the page needs to know about the sandbox's world.
type info struct {
	API         string      `json:"api"`
	Bot         tgfake.User `json:"bot"`
	ReviewChat  int64       `json:"review_chat_id"`
	StorageChat int64       `json:"storage_chat_id"`
	Admin       tgfake.User `json:"admin"`
	Moderator   tgfake.User `json:"moderator"`
	DemoUsers   []demoUser  `json:"demo_users"`
}

func pageInfo(fake *tgfake.Server) info {
	return info{
		API: apiPath, Bot: fake.Bot(), ReviewChat: ReviewChatID, StorageChat: StorageChatID,
		Admin:     tgfake.User{ID: AdminID, FirstName: "Ada", LastName: "Admin", Username: "sandbox_admin"},
		Moderator: tgfake.User{ID: ModeratorID, FirstName: "Max", LastName: "Moderator", Username: "sandbox_moderator"},
		DemoUsers: demoUsers,
	}
}

// opsProxy forwards /healthz, /readyz and /metrics to the bot's own HTTP
// server once it runs, so HTTP_ADDR keeps answering them in the sandbox.
type opsProxy struct {
	target atomic.Pointer[httputil.ReverseProxy]
}

func (p *opsProxy) setTarget(addr string) {
	p.target.Store(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: addr}))
}

func (p *opsProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	proxy := p.target.Load()
	if proxy == nil {
		http.Error(w, "bot starting", http.StatusServiceUnavailable)
		return
	}
	proxy.ServeHTTP(w, r)
}
