// Package media holds the pure media logic of the bot: safe image decoding,
// perceptual fingerprints and the near-duplicate decision, a compact
// in-memory index that finds duplicate candidates, fast JPEG decoding and
// encoding (libjpeg-turbo through cgo) and ffmpeg-based video helpers.
//
// Nothing here knows about Telegram; callers pass bytes and get images,
// fingerprints and verdicts back.
package media
