#!/usr/bin/env bash
# Check the readable outputs of a plan run outside Python: the workbook opens in LibreOffice
# (converts to PDF and CSV without a repair prompt), the report renders in a headless Chromium
# without console errors, and the report makes no network request.
#
#   bench/check_report.sh [PROJECT.toml] [OUT_DIR]
#
# Defaults: sample_data/province/project.toml into a temporary folder. Needs
#   apt-get install -y libreoffice-calc-nogui chromium
# (either tool may be missing; its check is then skipped with a note). Exit 0 = all passed.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
project="${1:-$here/sample_data/province/project.toml}"
out="${2:-$(mktemp -d)/plan}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail=0

echo "== plan $project -> $out"
python "$here/cli.py" plan "$project" --out "$out" --time-limit "${TIME_LIMIT:-60}" --quiet \
  > "$work/plan.log"
report="$out/report.html"
test -s "$report" || { echo "FAIL: no report.html"; exit 1; }
printf 'report.html: %s bytes\n' "$(wc -c < "$report")"

echo "== offline: no external resource in report.html"
if grep -Eiq '(src|href)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|@import|url\([[:space:]]*["'"'"']?(https?:)?//|https?://' "$report"; then
  echo "FAIL: report.html refers to an external resource"; fail=1
else
  echo "ok"
fi

soffice_bin="$(command -v soffice || command -v libreoffice || true)"
if [ -n "$soffice_bin" ]; then
  echo "== LibreOffice: workplan.xlsx -> pdf and csv"
  profile="file://$work/lo-profile"
  for fmt in pdf csv; do
    if timeout 300 "$soffice_bin" --headless "-env:UserInstallation=$profile" \
        --convert-to "$fmt" --outdir "$work" "$out/workplan.xlsx" > "$work/lo-$fmt.log" 2>&1 \
        && test -s "$work/workplan.$fmt"; then
      printf 'ok: workplan.%s (%s bytes)\n' "$fmt" "$(wc -c < "$work/workplan.$fmt")"
    else
      echo "FAIL: LibreOffice could not convert workplan.xlsx to $fmt"; cat "$work/lo-$fmt.log"
      fail=1
    fi
  done
else
  echo "== LibreOffice not installed: workbook check skipped"
fi

chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [ -n "$chromium_bin" ]; then
  echo "== Chromium: render report.html headless"
  flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
         --disable-component-update --disable-sync --no-first-run
         "--user-data-dir=$work/chromium")
  url="file://$(cd "$(dirname "$report")" && pwd)/report.html"
  timeout 120 "$chromium_bin" "${flags[@]}" --enable-logging=stderr --v=0 \
    "--screenshot=$work/report.png" --window-size=1400,3000 "$url" > "$work/chromium.log" 2>&1 || true
  if grep -E "Uncaught|:CONSOLE" "$work/chromium.log"; then
    echo "FAIL: console messages above"; fail=1
  elif [ "$(wc -c < "$work/report.png" 2>/dev/null || echo 0)" -lt 30000 ]; then
    echo "FAIL: screenshot missing or blank"; fail=1
  else
    echo "ok: screenshot $(wc -c < "$work/report.png") bytes, no console errors"
  fi
  if timeout 120 "$chromium_bin" "${flags[@]}" --dump-dom "$url" 2>/dev/null \
      | grep -q 'data-script="ok"'; then
    echo "ok: the page script ran"
  else
    echo "FAIL: the page script did not finish"; fail=1
  fi
else
  echo "== Chromium not installed: browser check skipped"
fi

exit "$fail"
