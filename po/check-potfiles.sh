#!/bin/sh
# Fails when a source or .ui file with translatable strings is missing from
# po/POTFILES, or when POTFILES names a file that does not exist.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
top=${1:-.}
cd "$top"
status=0
listed=$(grep -v '^#' po/POTFILES | sed '/^$/d' | sort -u)
found=$( { grep -rlE '(^|[^A-Za-z_])(N?_|C_|NC_|g_dngettext|ngettext)[[:space:]]*\(' src --include='*.c' || true
           grep -rl 'translatable="yes"' ui --include='*.ui' || true
           ls data/*.desktop.in.in data/*.metainfo.xml.in.in data/*.gschema.xml.in 2>/dev/null || true; } | sort -u)
for f in $found; do
  if ! printf '%s\n' "$listed" | grep -qx "$f"; then
    echo "not in po/POTFILES but has translatable strings: $f"
    status=1
  fi
done
for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES names a missing file: $f"
    status=1
  fi
done
[ $status -eq 0 ] && echo "POTFILES lists every translatable file ($(printf '%s\n' "$listed" | wc -l) files)"
exit $status
