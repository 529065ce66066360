#!/usr/bin/env bash
# Regenerate the theme's bundled fonts from Debian's fonts-noto-core (SIL OFL 1.1):
# Noto Serif and Noto Sans, subset to Latin, Latin Extended and common punctuation
# so the PDF looks the same on every machine. Run after `apt-get install fonts-noto-core`.
set -euo pipefail
src=/usr/share/fonts/truetype/noto
dst="$(dirname "$0")/../src/policybrief/themes/default/fonts"
unicodes="U+0000-024F,U+0300-036F,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2212,U+25A0-25FF,U+FB00-FB06"
for family in NotoSerif NotoSans; do
  for style in Regular Italic Bold BoldItalic; do
    .venv/bin/pyftsubset "$src/$family-$style.ttf" --unicodes="$unicodes" \
      --layout-features='*' --no-hinting --desubroutinize \
      --output-file="$dst/$family-$style.ttf"
  done
done
cp /usr/share/doc/fonts-noto-core/copyright "$dst/OFL.txt" 2>/dev/null || true
