#!/usr/bin/env bash
# Installs the Debian packages memebot needs to build and test, if missing:
# tesseract + leptonica headers and language data (OCR, cgo), ffmpeg (video
# frames). Pass extra package names as arguments (e.g. chromium).
set -euo pipefail

packages=(libtesseract-dev libleptonica-dev libturbojpeg0-dev tesseract-ocr-eng tesseract-ocr-rus ffmpeg "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
