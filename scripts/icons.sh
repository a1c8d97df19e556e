#!/usr/bin/env bash
# Makes the app's icons (public/icons) with ImageMagick and the WenQuanYi Zen Hei font
# (Debian's fonts-wqy-zenhei; Debian's imagemagick: /usr/bin/convert): the character 社 in white on the site's red. The PNGs are
# committed; run this only to change them. "any" icons have rounded corners of their own;
# the maskable one fills the square and keeps the character inside the central 80% circle
# that launchers may cut to.
set -euo pipefail
cd "$(dirname "$0")/.."
font=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
red='#c8102e'
out=public/icons
mkdir -p "$out"
any() { # size
  local s=$1 r=$(( $1 / 5 ))
  /usr/bin/convert -size "${s}x${s}" xc:none -fill "$red" -draw "roundrectangle 0,0,$((s-1)),$((s-1)),$r,$r" \
    -font "$font" -fill white -pointsize $(( s * 62 / 100 )) -gravity center -annotate +0+$(( s / 40 )) '社' \
    -strip "$out/icon-$s.png"
}
any 192
any 512
/usr/bin/convert -size 512x512 "xc:$red" -font "$font" -fill white -pointsize 240 -gravity center -annotate +0+10 '社' \
  -strip "$out/maskable-512.png"
# iOS takes a square without transparency and rounds it itself.
/usr/bin/convert -size 180x180 "xc:$red" -font "$font" -fill white -pointsize 112 -gravity center -annotate +0+4 '社' \
  -strip "$out/apple-touch-icon.png"
ls -l "$out"
