#!/usr/bin/env bash
# Fetches the real photographs and fonts the duplicate evaluation is built
# from (see dedupeval/): Debian wallpaper packages that ship photographs and a
# narrow bold font with Cyrillic. Nothing lands in git: the packages are
# unpacked under .tmp/dedupeval/ (git-ignored).
# Usage: scripts/dedupeval-fetch.sh   then   go run ./dedupeval build && go run ./dedupeval report
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tmp/dedupeval"
debs="$dir/debs"
photos="$dir/photos"
fonts="$dir/fonts"
mkdir -p "$debs" "$photos" "$fonts"

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
cp "$x/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf" "$fonts/"
cp "$x/fonts/truetype/dejavu/DejaVuSans-Bold.ttf" "$fonts/"
echo "dedupeval: $(ls "$photos" | wc -l) photographs in $photos, fonts in $fonts" >&2
