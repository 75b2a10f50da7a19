#!/usr/bin/env bash
# Fetches the real photographs, clip art and fonts the duplicate evaluation
# is built from (see dedupeval/): Debian wallpaper packages that ship
# photographs, the Open Clip Art Library's PNGs, and bold fonts with Cyrillic. Nothing lands in git: the packages are
# unpacked under .tmp/dedupeval/ (git-ignored).
# Usage: scripts/dedupeval-fetch.sh   then   go run ./dedupeval build && go run ./dedupeval report
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tmp/dedupeval"
debs="$dir/debs"
photos="$dir/photos"
fonts="$dir/fonts"
clipart="$dir/clipart"
mkdir -p "$debs" "$photos" "$fonts" "$clipart"

fetch() { # package
  ls "$debs/$1"_*.deb >/dev/null 2>&1 && return 0
  (cd "$debs" && apt-get download "$1" >&2)
}
for p in plasma-workspace-wallpapers mate-backgrounds ukui-wallpapers fonts-liberation fonts-dejavu-core; do
  fetch "$p"
  dpkg-deb -x "$debs/$p"_*.deb "$debs/x"
done
x="$debs/x/usr/share"

# Photographs only: the paintings, renders and abstract patterns these
# packages also ship are left out.
for name in BytheWater ColdRipple ColorfulCups DarkestHour EveningGlow FallenLeaf Grey Honeywave Kite \
  OneStandsOut PastelHills Path SafeLanding summer_1am; do
  src=$(ls "$x/wallpapers/$name/contents/images/"*.jpg | head -1)
  cp "$src" "$photos/plasma-$name.jpg"
done
for f in "$x/backgrounds/mate/nature/"*.jpg; do
  cp "$f" "$photos/mate-$(basename "$f")"
done
for name in firstgeneration string rhythm; do
  cp "$x/backgrounds/$name.jpg" "$photos/ukui-$name.jpg"
done
# Clip art (flat colours, few textures: what a pHash confuses most): every
# fourth of the larger drawings of six Open Clip Art categories, 30 in all.
fetch openclipart-png
dpkg-deb -x "$debs"/openclipart-png_*.deb "$debs/oc"
oc="$debs/oc/usr/share/openclipart/png"
for cat in animals food people plants transportation buildings; do
  find "$oc/$cat" -name '*.png' -size +40k | sort | awk 'NR % 4 == 1' | head -5 |
    while read -r f; do cp "$f" "$clipart/$cat-$(basename "$f")"; done
done
cp "$x/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf" "$fonts/"
cp "$x/fonts/truetype/dejavu/DejaVuSans-Bold.ttf" "$fonts/"
echo "dedupeval: $(ls "$photos" | wc -l) photographs in $photos, $(ls "$clipart" | wc -l) clip arts in $clipart, fonts in $fonts" >&2
