package media

// Kind is what a meme's file is, named as the Bot API names it ("photo",
// "video", "animation"): the same strings are stored in the database and
// sent on the wire, so a Kind converts to and from them unchanged.
type Kind string

// The kinds of media a meme or a submission can be.
const (
	Photo     Kind = "photo"
	Video     Kind = "video"
	Animation Kind = "animation" // a GIF or a silent MP4
)
