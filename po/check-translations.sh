#!/bin/sh
# Fails when a translation in po/LINGUAS misses a string that the sources
# (po/POTFILES) mark translatable, or when its format strings do not match.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
top=${1:-.}
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -v '^#' po/POTFILES | sed '/^$/d' > "$tmp/files"
xgettext --from-code=UTF-8 --add-comments --directory=. --files-from="$tmp/files" \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_printerr:1:c-format \
  --output="$tmp/template.pot" 2>"$tmp/xgettext.log" || { cat "$tmp/xgettext.log"; exit 1; }

# xgettext cuts a msgid at a GLib macro such as G_GINT64_FORMAT, and the cut
# string never matches at run time: such strings must use PRId64/PRIu64.
if grep -q 'ends in the middle of a directive' "$tmp/xgettext.log"; then
  grep -B0 'ends in the middle of a directive' "$tmp/xgettext.log" | sed 's/: warning:.*//' |
    sed 's/$/: a translatable format string is cut short; use "%" PRId64 (or PRIu64), not G_GINT64_FORMAT/'
  exit 1
fi

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/template.pot" -o "$tmp/$lang.po"
  missing=$(msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)
  # The header entry counts as one msgid when anything is listed.
  [ "$missing" -gt 0 ] && missing=$((missing - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  total=$(grep -c '^msgid ' "$tmp/template.pot")
  if [ "$missing" -ne 0 ] || [ "$fuzzy" -ne 0 ]; then
    echo "$lang: $missing untranslated and $fuzzy fuzzy of $((total - 1)) strings:"
    msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -A1 '^msgid ' | head -40
    status=1
  fi
  msgfmt --check --output-file=/dev/null "po/$lang.po" || status=1
  [ $status -eq 0 ] && echo "$lang: all $((total - 1)) strings translated"
done
exit $status
