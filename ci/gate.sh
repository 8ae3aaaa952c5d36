#!/usr/bin/env bash
# The gate step of action.yml, kept in a file so that GitLab CI, a plain shell step and the test
# suite (tests/release/test_gate.py) run exactly what the GitHub Action runs.
#
# Inputs, all optional, as environment variables (the action maps its inputs onto them):
#   CCDOCTOR            the command (default: ccdoctor on PATH)
#   CCDOCTOR_FORMAT     what the log gets: github (default), text, markdown, junit, json
#   CCDOCTOR_REPORT     where the JSON report goes (default: ccdoctor-report.json)
#   CCDOCTOR_STRICT     true: warnings fail the gate too
#   CCDOCTOR_NO_INVOKE  true: free calls only, no billed one-token requests
#   CCDOCTOR_ONLY       check ids, categories or globs, separated by spaces or commas
#   CCDOCTOR_SKIP       likewise
#   CCDOCTOR_ARGS       further options, split on spaces
# The exit code is ccdoctor's: 0 pass, 1 a failure (or a warning under strict), 2 usage error.
set -euo pipefail

truthy() {
    case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]')" in
        1 | true | yes | on) return 0 ;;
        *) return 1 ;;
    esac
}

report="${CCDOCTOR_REPORT:-ccdoctor-report.json}"
args=(--format "${CCDOCTOR_FORMAT:-github}" --json-report "$report")
truthy "${CCDOCTOR_STRICT:-}" && args+=(--strict)
truthy "${CCDOCTOR_NO_INVOKE:-}" && args+=(--no-invoke)

# Selectors may be globs (`proxy.*`): split them without letting the shell expand them.
set -f
IFS=$' \t\n,' read -r -a only <<<"${CCDOCTOR_ONLY:-}"
IFS=$' \t\n,' read -r -a skip <<<"${CCDOCTOR_SKIP:-}"
read -r -a extra <<<"${CCDOCTOR_ARGS:-}"
set +f
for selector in ${only[@]+"${only[@]}"}; do args+=(--only "$selector"); done
for selector in ${skip[@]+"${skip[@]}"}; do args+=(--skip "$selector"); done

mkdir -p "$(dirname "$report")"
# shellcheck disable=SC2086 # CCDOCTOR may be a command with arguments ("python -m ccdoctor").
exec ${CCDOCTOR:-ccdoctor} "${args[@]}" ${extra[@]+"${extra[@]}"}
