//go:build nosandbox

package app

import (
	"context"
	"errors"
	"flag"
)

// sandboxFlags in a build without the sandbox (-tags nosandbox, as the Docker
// image is built): the fake Telegram Bot API and the sandbox page are not
// linked into a production binary. The flags stay, so that `--help` reads
// the same; running it says where the sandbox is.
func sandboxFlags(fs *flag.FlagSet) action {
	fs.Bool("reset", false, "start clean: empty chats, the sandbox database recreated, its Redis keys deleted")
	fs.Bool("demo", false, "add demo users, sources and approved memes when absent")
	return func(context.Context, *process) error {
		return plainError{errors.New("the sandbox is not in this build (built with -tags nosandbox, as the Docker image is): run it from the source tree, `make run` or `go run . sandbox`")}
	}
}
