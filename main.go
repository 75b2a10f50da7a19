// Command memebot is a Telegram meme bot: a personalised meme feed, uploads
// reviewed by moderators, and ingestion from channels. See README.md.
package main

import (
	"os"

	"memebot/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
