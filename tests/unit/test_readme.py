"""The README stays true: its check catalogue is the registry's, its per-version client facts
are the facts files', its set-up the Makefile's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ccdoctor.clients.facts import ClientFacts, all_facts
from ccdoctor.core.provider import Provider
from ccdoctor.engine.registry import builtin_checks
from ccdoctor.report.render.catalogue import render_catalogue
from ccdoctor.spec import Check
from tests.machine import REPO

README = REPO / "README.md"
STALE = "is stale: run `python -m tests.unit.test_readme` to regenerate it"


def span(text: str, name: str) -> tuple[int, int]:
    """The generated block between `<!-- name:start … -->` and `<!-- name:end -->`."""
    return text.index("\n", text.index(f"<!-- {name}:start")) + 1, text.index(
        f"<!-- {name}:end -->"
    )


def block(text: str, name: str) -> str:
    start, end = span(text, name)
    return text[start:end]


_ROUTES = (
    ("Anthropic API", Provider.ANTHROPIC),
    ("Bedrock", Provider.BEDROCK),
    ("Vertex AI", Provider.VERTEX),
    ("Foundry", Provider.FOUNDRY),
)


def render_client_facts(facts: tuple[ClientFacts, ...]) -> str:
    """One column per observed client version, one row per fact that ccdoctor keeps."""

    def cells(value: object) -> str:
        return f"`{value}`" if value else "—"

    def chain(entry: ClientFacts, provider: Provider) -> str:
        models = entry.fallback_chain(provider)
        return " → ".join(f"`{m}`" for m in models) if models else "none: the main model only"

    rows: list[tuple[str, list[str]]] = []
    for name, provider in _ROUTES:
        rows.append((f"{name}: main model", [cells(f.defaults[provider].main) for f in facts]))
        rows.append(
            (f"{name}: small/fast", [cells(f.defaults[provider].small_fast) for f in facts])
        )
    rows.append(
        (
            "route flags, first truthy wins",
            [
                " > ".join(flag.removeprefix("CLAUDE_CODE_USE_") for flag in f.precedence)
                for f in facts
            ],
        )
    )
    for name, provider in (*_ROUTES[1:3], ("Bedrock Mantle", Provider.MANTLE)):
        rows.append((f"{name}: model-access fallback", [chain(f, provider) for f in facts]))
    rows.append(
        (
            "fallback switched off by (not Mantle's)",
            [
                ", ".join(f"`{v}`" for v in f.fallback.stopped_by)
                if f.fallback and f.fallback.stopped_by
                else "—"
                for f in facts
            ],
        )
    )
    rows.append(
        (
            "sent again without the beta a 400 rejects",
            [", ".join(f"`{b}`" for b in sorted(f.drops_rejected_betas)) or "none" for f in facts],
        )
    )
    rows.append(
        (
            "warm-up (non-essential traffic off)",
            [f"`{f.warmup.method} {f.warmup.path}`" if f.warmup else "none" for f in facts],
        )
    )
    rows.append(
        (
            "started below the git root: root's `settings.local.json`",
            [
                "read, beats the start directory's" if f.local_at_git_root else "ignored"
                for f in facts
            ],
        )
    )
    header = "| | " + " | ".join(f.version_text for f in facts) + " |\n"
    rule = "|---|" + "---|" * len(facts) + "\n"
    return header + rule + "".join(f"| {name} | {' | '.join(row)} |\n" for name, row in rows)


def test_catalogue_matches_the_registry() -> None:
    expected = render_catalogue(builtin_checks(), markdown=True)
    assert block(README.read_text(encoding="utf-8"), "catalogue") == expected, (
        f"README catalogue {STALE}"
    )


def test_client_facts_table_matches_the_facts_files() -> None:
    expected = render_client_facts(all_facts())
    assert block(README.read_text(encoding="utf-8"), "client-facts") == expected, (
        f"README client-facts table {STALE}"
    )


def test_set_up_is_the_run_script_and_make_test() -> None:
    text = README.read_text(encoding="utf-8")
    setup = text[text.index("## Set-up") : text.index("## Three ways")]
    commands = setup[setup.index("```sh") : setup.index("```", setup.index("```sh") + 5)]
    assert re.findall(r"^(\S+(?: \w+)?) ", commands, re.M) == ["bin/ccdoctor", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert re.search(r"^\$\(BIN\)/ccdoctor:", makefile, re.M), "bin/ccdoctor builds through it"
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--offline"], 1), (["--offline", "--only", "no.such-check"], 2), (["--version"], 0)],
)
def test_the_run_script_exits_with_ccdoctors_code_and_adds_no_noise(
    tmp_path: Path, args: list[str], code: int
) -> None:
    # A bare home and no provider variables: ccdoctor fails for want of a credential.
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "NO_COLOR": "1"}
    direct = subprocess.run(
        [sys.executable, "-m", "ccdoctor", *args], env=env, capture_output=True, text=True
    )
    wrapped = subprocess.run(
        [str(REPO / "bin" / "ccdoctor"), *args], env=env, capture_output=True, text=True
    )
    assert (direct.returncode, wrapped.returncode) == (code, code)
    assert "make" not in wrapped.stderr
    last = [(run.stdout + run.stderr).splitlines()[-1] for run in (direct, wrapped)]
    assert last[0] == last[1]


def main() -> None:
    text = README.read_text(encoding="utf-8")
    generated = {
        "catalogue": render_catalogue(builtin_checks(), markdown=True),
        "client-facts": render_client_facts(all_facts()),
    }
    for name, content in generated.items():
        start, end = span(text, name)
        text = text[:start] + content + text[end:]
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()


def test_the_plugin_example_defines_a_check_from_the_plugin_surface() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Writing a check plugin") : text.index("## How the code")]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "from ccdoctor.api import" in code
    namespace: dict[str, object] = {}
    exec(compile(code, "README plugin example", "exec"), namespace)
    vpn = namespace["vpn"]
    assert isinstance(vpn, Check) and vpn.spec.id == "company.vpn"


def test_the_layout_table_names_every_package() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## How the code is laid out") : text.index("**Adding a check**")]
    packages = sorted(
        p.name for p in (REPO / "ccdoctor").iterdir() if (p / "__init__.py").is_file()
    )
    missing = [name for name in packages if f"`{name}/" not in section]
    assert not missing, f"README layout table lacks {missing}"
