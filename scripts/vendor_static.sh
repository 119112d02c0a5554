#!/usr/bin/env bash
# Vendor front-end libraries into static/vendor/ so that no page needs a CDN.
#
# Every library is fetched with `npm pack <name>@<version>` (i.e. only from the
# npm registry npm is configured to use), checked against a pinned sha512
# integrity hash, unpacked in a temporary directory, and only the files the
# site needs are copied to static/vendor/<name>-<version>/.
#
# Idempotent: each target folder is wiped and recreated on every run. All
# packages are fetched and staged first; existing folders are only replaced
# once everything has been fetched and verified, so a failed run leaves the
# current vendor files untouched.
#
# Usage: scripts/vendor_static.sh   (from anywhere; needs node + npm)
#
# To bump a library: change its version below, set its integrity to the value
# printed by `npm view <name>@<version> dist.integrity`, re-run, and update
# static/vendor/README.md (and any template/static references to the old path).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT="$PWD"
VENDOR_DIR="$REPO_ROOT/static/vendor"

command -v npm >/dev/null || { echo "error: npm not found" >&2; exit 1; }
command -v node >/dev/null || { echo "error: node not found" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vendor_static.XXXXXX")"
trap 'rm -rf -- "$TMP"' EXIT
STAGE="$TMP/stage"
mkdir -p "$STAGE"

TARGETS=()   # folder names (normally <name>-<version>) staged in $STAGE
PKG=""       # extracted package dir of the package being processed
OUT=""       # staging output dir of the package being processed

sha512_integrity() {
    node -e 'const c = require("crypto"), fs = require("fs");
             process.stdout.write("sha512-" + c.createHash("sha512")
               .update(fs.readFileSync(process.argv[1])).digest("base64"));' "$1"
}

# fetch NAME VERSION INTEGRITY [FOLDER]
#   -> sets $PKG (unpacked package) and $OUT (stage dir for static/vendor/FOLDER,
#      FOLDER defaulting to NAME-VERSION)
fetch() {
    local name="$1" version="$2" integrity="$3" folder="${4:-$1-$2}"
    local work="$TMP/pkg/$name-$version"
    mkdir -p "$work/dl" "$work/x"

    echo ">> npm pack $name@$version"
    (cd "$work" && npm pack "$name@$version" --pack-destination "$work/dl" \
        --ignore-scripts --silent >/dev/null)

    local tgz
    tgz="$(find "$work/dl" -maxdepth 1 -name '*.tgz' -print -quit)"
    [[ -n "$tgz" ]] || { echo "error: npm pack produced no tarball for $name@$version" >&2; exit 1; }

    local got
    got="$(sha512_integrity "$tgz")"
    if [[ "$got" != "$integrity" ]]; then
        echo "error: integrity mismatch for $name@$version" >&2
        echo "  expected $integrity" >&2
        echo "  got      $got" >&2
        exit 1
    fi

    tar -xzf "$tgz" -C "$work/x" --no-same-owner --no-same-permissions
    PKG="$work/x/package"

    local pj_name pj_version
    pj_name="$(node -p 'require(process.argv[1]).name' "$PKG/package.json")"
    pj_version="$(node -p 'require(process.argv[1]).version' "$PKG/package.json")"
    if [[ "$pj_name" != "$name" || "$pj_version" != "$version" ]]; then
        echo "error: tarball is $pj_name@$pj_version, expected $name@$version" >&2
        exit 1
    fi

    OUT="$STAGE/$folder"
    mkdir -p "$OUT"
    TARGETS+=("$folder")
}

# put SRC_IN_PACKAGE DEST_IN_TARGET_FOLDER
put() {
    local src="$PKG/$1" dst="$OUT/$2"
    [[ -f "$src" ]] || { echo "error: $1 missing from package" >&2; exit 1; }
    install -D -m 0644 "$src" "$dst"
}

# --- Leaflet -----------------------------------------------------------------
# images/ stays next to leaflet.css so its relative url(images/...) work.
# leaflet.js.map is kept because leaflet.js ends with a sourceMappingURL
# comment and Django's ManifestStaticFilesStorage fails collectstatic when the
# referenced file is missing.
fetch leaflet 1.9.4 \
    'sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=='
put dist/leaflet.js     leaflet.js
put dist/leaflet.js.map leaflet.js.map
put dist/leaflet.css    leaflet.css
shopt -s nullglob
imgs=("$PKG"/dist/images/*)
shopt -u nullglob
(( ${#imgs[@]} )) || { echo "error: leaflet dist/images/ is empty" >&2; exit 1; }
for img in "${imgs[@]}"; do
    put "dist/images/$(basename "$img")" "images/$(basename "$img")"
done
put LICENSE LICENSE

# --- htmx (npm name htmx.org; vendored as htmx-<version>) --------------------
HTMX_VERSION=2.0.4
fetch htmx.org "$HTMX_VERSION" \
    'sha512-HLxMCdfXDOJirs3vBZl/ZLoY+c7PfM4Ahr2Ad4YXh6d22T5ltbTXFFkpx9Tgb2vvmWFMbIc3LqN2ToNkZJvyYQ==' \
    "htmx-$HTMX_VERSION"
put dist/htmx.min.js htmx.min.js
put LICENSE          LICENSE

# --- OpenLayers (version used by django.contrib.gis OpenLayersWidget) --------
# Package layout: ol.css at the package root, the full build in dist/ol.js.
# ol.js.map kept for the same ManifestStaticFilesStorage reason as Leaflet.
fetch ol 7.2.2 \
    'sha512-eqJ1hhVQQ3Ap4OhYq9DRu5pz9RMpLhmoTauDoIqpn7logVi1AJE+lXjEHrPrTSuZYjtFbMgqr07sxoLNR65nrw=='
put ol.css         ol.css
put dist/ol.js     ol.js
put dist/ol.js.map ol.js.map
put LICENSE.md     LICENSE.md

# --- Leaflet.VectorGrid (needs Leaflet loaded first) -------------------------
# The package ships no licence file; see static/vendor/README.md.
fetch leaflet.vectorgrid 1.3.0 \
    'sha512-kWmj1pKM+MVdo/7Mg5zsB3YrGZvo/uIuiANV9MvWUFOG+Y2xAJzrteDhoIcCgTjHSSRJ36xdeGdIQVhuWjnCZw=='
put dist/Leaflet.VectorGrid.bundled.min.js Leaflet.VectorGrid.bundled.min.js

# --- jsQR (the field scanner's decoder where the browser has no BarcodeDetector) -
# The package ships only the unminified UMD build; the server compresses it.
fetch jsqr 1.4.0 \
    'sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A=='
put dist/jsQR.js jsQR.js
put LICENSE      LICENSE

# --- Apache ECharts (the dashboards' charts; loaded only on /dashboard/ pages) --
# The "common" build: line, bar, pie and scatter charts with the grid, legend, tooltip,
# dataset and aria components, about a third of the full build (240 kB gzipped, not 370).
# It ends with no sourceMappingURL comment, so no map file is needed. NOTICE is Apache-2.0's.
fetch echarts 6.1.0 \
    'sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=='
put dist/echarts.common.min.js echarts.common.min.js
put LICENSE                    LICENSE
put NOTICE                     NOTICE

# --- Install: wipe and recreate each target folder ---------------------------
mkdir -p "$VENDOR_DIR"
for t in "${TARGETS[@]}"; do
    [[ -n "$t" && "$t" != */* && "$t" != .* ]] || { echo "error: bad target '$t'" >&2; exit 1; }
    rm -rf -- "${VENDOR_DIR:?}/$t"
    mkdir -p "$VENDOR_DIR/$t"
    cp -R -- "$STAGE/$t/." "$VENDOR_DIR/$t/"
    echo "== static/vendor/$t"
    (cd "$VENDOR_DIR/$t" && find . -type f | sed 's|^\./||' | sort | while read -r f; do
        printf '   %-40s %9s bytes\n' "$f" "$(wc -c <"$f" | tr -d ' ')"
    done)
done
echo "done."
