#!/usr/bin/env bash
# Installs pinned Claude Code clients that the conformance and facts tiers run against the
# project's fakes: the versions given as arguments, or every version in
# tests/peers/claude_versions.txt and every version with a facts file in
# ccdoctor/clients/versions/. Each lands in its own prefix, $CCDOCTOR_PEERS_DIR/claude-VERSION
# (default .peers/).
# Idempotent: a stamp written after a successful install (and a working `claude --version`)
# records the version, so a second run is a no-op and an interrupted install triggers a
# reinstall. Prints each binary's path on a line of its own, last.
# The npm package's postinstall (which would copy the native binary into place) is not run:
# the platform package already holds the binary, and it runs as it is.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
peers_dir="${CCDOCTOR_PEERS_DIR:-$repo/.peers}"

case "$(uname -m)" in
    x86_64 | amd64) arch="x64" ;;
    aarch64 | arm64) arch="arm64" ;;
    *) echo "install_claude.sh: no Claude Code build for $(uname -m)" >&2; exit 1 ;;
esac
case "$(uname -s)" in
    Linux) os="linux" ;;
    Darwin) os="darwin" ;;
    *) echo "install_claude.sh: no Claude Code build for $(uname -s)" >&2; exit 1 ;;
esac
libc=""
if [[ "$os" == "linux" ]] && ldd --version 2>&1 | grep -qi musl; then
    libc="-musl"
fi
if ! command -v npm >/dev/null; then
    echo "install_claude.sh: npm not found (Claude Code is installed from the npm registry)" >&2
    exit 1
fi
mkdir -p "$peers_dir"
# Keep the (245 MB per version) clients out of git without touching the repository's .gitignore.
[[ -f "$peers_dir/.gitignore" ]] || echo '*' >"$peers_dir/.gitignore"

install() {
    local version="$1"
    local prefix="$peers_dir/claude-$version"
    local stamp="$prefix/.ccdoctor-version"
    local binary="$prefix/node_modules/@anthropic-ai/claude-code-$os-$arch$libc/claude"
    if [[ -f "$stamp" && -x "$binary" && "$(cat "$stamp")" == "$version" ]]; then
        echo "Claude Code $version up to date" >&2
        echo "$binary"
        return 0
    fi
    rm -f "$stamp"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --ignore-scripts --no-audit --no-fund \
        --loglevel=error "@anthropic-ai/claude-code@$version" >&2
    if [[ ! -x "$binary" ]]; then
        echo "install_claude.sh: npm did not install $binary" >&2
        return 1
    fi
    local reported
    reported="$(DISABLE_AUTOUPDATER=1 HOME="$prefix" "$binary" --version 2>/dev/null || true)"
    if [[ "$reported" != "$version"* ]]; then
        echo "install_claude.sh: $binary --version said '$reported', expected $version" >&2
        return 1
    fi
    printf '%s' "$version" >"$stamp"
    echo "Claude Code $version ready" >&2
    echo "$binary"
}

if [[ $# -eq 0 ]]; then
    mapfile -t versions < <(
        {
            grep -v '^[[:space:]]*\(#\|$\)' "$repo/tests/peers/claude_versions.txt"
            for facts in "$repo"/ccdoctor/clients/versions/*.toml; do basename "$facts" .toml; done
        } | sort -uV
    )
    set -- "${versions[@]}"
fi
for version in "$@"; do
    install "$version"
done
