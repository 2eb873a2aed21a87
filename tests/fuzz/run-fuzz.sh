#!/bin/sh
# run-fuzz.sh BUILDDIR [SECONDS] — runs each intake libFuzzer target for
# SECONDS (default 60) seeded with the shared corpus, and prints executions
# and findings per target. Seeds are copied into a temporary directory (the
# corpus and the repository are never written); crash, leak and timeout
# inputs are kept under BUILDDIR/fuzz-findings/<target>/.
# Exit status: 0 when no target found anything, 1 otherwise.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILDDIR [SECONDS]" >&2
  exit 2
fi

build=$(cd "$1" && pwd)
seconds=${2:-60}
here=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${RD_CORPUS_DIR:-$here/../shared/corpus}
work=$(mktemp -d "${TMPDIR:-/tmp}/rd-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

status=0
total_execs=0
total_findings=0

# target:corpus-folder:max-input-length
for spec in hl7:hl7v2:65536 fhir:fhir:262144 mail:eml:131072; do
  name=${spec%%:*}
  rest=${spec#*:}
  sub=${rest%%:*}
  max_len=${rest#*:}
  exe=$build/tests/fuzz/fuzz-$name

  if [ ! -x "$exe" ]; then
    echo "fuzz-$name: not built (configure with CC=clang and -Dfuzzing=true)"
    status=1
    continue
  fi

  mkdir -p "$work/$name/seeds" "$work/$name/artifacts"
  if [ -d "$corpus/$sub" ]; then
    # Read-only corpus files: copy the bytes, not the modes.
    for f in "$corpus/$sub"/*; do
      [ -f "$f" ] && cat "$f" > "$work/$name/seeds/$(basename "$f")"
    done
  else
    echo "fuzz-$name: corpus folder $corpus/$sub is absent; starting from nothing"
  fi

  dict=
  if [ -f "$here/tests/fuzz/$name.dict" ]; then
    dict=-dict=$here/tests/fuzz/$name.dict
  fi

  log=$work/$name/log
  set +e
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "$exe" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/" $dict \
      "$work/$name/seeds" > "$log" 2>&1
  rc=$?
  set -e

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  execs=${execs:-0}
  findings=$(find "$work/$name/artifacts" -type f | wc -l | tr -d ' ')
  total_execs=$((total_execs + execs))
  total_findings=$((total_findings + findings))

  echo "fuzz-$name: $execs executions in ${seconds}s, $findings findings (exit $rc)"
  if [ "$findings" -gt 0 ] || [ "$rc" -ne 0 ]; then
    status=1
    keep=$build/fuzz-findings/$name
    mkdir -p "$keep"
    find "$work/$name/artifacts" -type f -exec cp {} "$keep/" \;
    cp "$log" "$keep/fuzz.log"
    echo "  inputs and log kept in $keep"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 | sed 's/^/  /'
  fi
done

echo "fuzz total: $total_execs executions, $total_findings findings"
exit $status
