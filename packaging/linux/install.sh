#!/bin/sh
# Install the Linux bundle for the current user: ./install.sh [BUNDLE_DIR]
# Works from an unpacked release (this script sits next to the Todoku executable) and from a
# checkout after `python packaging/build.py` (bundle in packaging/dist/Todoku).
# Copies the one-folder app to ~/.local/opt/Todoku, the icons into the hicolor theme and the
# launcher into ~/.local/share/applications (with Exec pointing at the copied executable).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 1 ]; then
  bundle=$1
elif [ -x "$here/Todoku" ]; then
  bundle=$here
else
  bundle="$here/../dist/Todoku"
fi
data=${XDG_DATA_HOME:-"$HOME/.local/share"}
target="$HOME/.local/opt/Todoku"

[ -x "$bundle/Todoku" ] || { echo "Todoku が見つかりません: $bundle/Todoku" >&2; exit 1; }
mkdir -p "$target" "$data/applications" \
  "$data/icons/hicolor/256x256/apps" "$data/icons/hicolor/512x512/apps" "$data/icons/hicolor/scalable/apps"
rm -rf "$target"
cp -a "$bundle" "$target"
icons="$target/_internal/resources/icons"
cp "$icons/todoku.png" "$data/icons/hicolor/256x256/apps/todoku.png"
cp "$icons/todoku-512.png" "$data/icons/hicolor/512x512/apps/todoku.png"
cp "$icons/todoku.svg" "$data/icons/hicolor/scalable/apps/todoku.svg"
sed -e "s|/opt/Todoku/Todoku|$target/Todoku|g" "$here/todoku.desktop" \
  > "$data/applications/todoku.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "インストールしました: $target/Todoku（アプリ一覧の「Todoku」から起動できます）"
