#!/usr/bin/env bash
# Creates the virtualenv holding the real LiteLLM proxy that the integration tests start.
# Idempotent: a stamp written after a successful install records the pinned requirement set, so
# a second run is a no-op and a changed pin (or an interrupted install) triggers a reinstall.
# LiteLLM lives in its own venv because it drags in ~120 packages we don't want in ccdoctor's.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
peers_dir="${CCDOCTOR_PEERS_DIR:-$repo/.peers}"
venv="$peers_dir/litellm-venv"
python="${PYTHON:-python3}"
stamp="$venv/.ccdoctor-requirements"

# 1.108.7 is the release test-peers.md was verified against. Never 1.82.7/1.82.8 (compromised).
# prisma is required even without a database: without it every auth failure becomes a bare 500.
# google-auth backs the /vertex_ai pass-through routes.
requirements=(
    "litellm[proxy]==1.108.7"
    "prisma>=0.11,<1"
    "google-auth>=2.40,<3"
)

if [[ -f "$stamp" && -x "$venv/bin/litellm" && "$(cat "$stamp")" == "${requirements[*]}" ]]; then
    echo "LiteLLM venv up to date: $venv"
    exit 0
fi

mkdir -p "$peers_dir"
# Keep the (750 MB) venv out of git without touching the repository's .gitignore.
[[ -f "$peers_dir/.gitignore" ]] || echo '*' >"$peers_dir/.gitignore"

rm -f "$stamp"
if ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
printf '%s' "${requirements[*]}" >"$stamp"
echo "LiteLLM venv ready: $venv"
