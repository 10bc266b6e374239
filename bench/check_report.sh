#!/usr/bin/env bash
# Check the readable outputs of a plan run outside Python: the report is under 3 MB and makes
# no network request, the GeoPackage is version 1.2 with typed fields and stored styles, the
# workbook opens in LibreOffice (converts to PDF, page count shown with poppler's pdfinfo, and
# CSV without a repair prompt), and the report renders in headless Chromium without console
# errors.
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
size=$(wc -c < "$report")
printf 'report.html: %s bytes\n' "$size"
if [ "$size" -ge 3000000 ]; then echo "FAIL: report.html is 3 MB or more"; fail=1; fi

if [ -f "$out/plan.gpkg" ]; then
  echo "== GIS: plan.gpkg version, layers and field types (pyogrio)"
  python - "$out" <<'PY' || fail=1
import sqlite3, sys
from pathlib import Path
import pyogrio
out = Path(sys.argv[1])
gpkg = out / "plan.gpkg"
with sqlite3.connect(gpkg) as con:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    styles = [r[0] for r in con.execute("SELECT f_table_name FROM layer_styles")]
layers = pyogrio.list_layers(gpkg)[:, 0].tolist()
info = pyogrio.read_info(gpkg, layer="workplan")
types = dict(zip(info["fields"], info["ogr_types"]))
geojson = pyogrio.list_layers(out / "plan.geojson")[:, 0].tolist()
print(f"GeoPackage {version}; layers {layers}; styles for {styles}; GeoJSON layer {geojson}")
print(f"year {types['year']}, cost_usd {types['cost_usd']}, article5 {types['article5']}")
ok = (version == 10200 and layers[0] == "workplan" and geojson == ["workplan"]
      and types["year"] == "OFTInteger" and types["cost_usd"] == "OFTReal"
      and "workplan" in styles)
print("ok" if ok else "FAIL: GIS layers")
sys.exit(0 if ok else 1)
PY
fi

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
      if [ "$fmt" = pdf ] && command -v pdfinfo > /dev/null; then
        pdfinfo "$work/workplan.pdf" | awk '/^Pages/ {print "workbook prints in " $2 " pages"}'
      fi
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
