"""The README stays true: its check catalogue is the registry's, its set-up the Makefile's."""

from __future__ import annotations

import re

from ccdoctor.engine.registry import builtin_checks
from ccdoctor.report.render.catalogue import render_catalogue
from ccdoctor.spec import Check
from tests.machine import REPO

README = REPO / "README.md"
START = "<!-- catalogue:start"
END = "<!-- catalogue:end -->"


def catalogue_span(text: str) -> tuple[int, int]:
    return text.index("\n", text.index(START)) + 1, text.index(END)


def catalogue_block(text: str) -> str:
    start, end = catalogue_span(text)
    return text[start:end]


def test_catalogue_matches_the_registry() -> None:
    expected = render_catalogue(builtin_checks(), markdown=True)
    assert catalogue_block(README.read_text(encoding="utf-8")) == expected, (
        "README catalogue is stale: run `python -m tests.unit.test_readme` to regenerate it"
    )


def test_set_up_is_the_two_make_commands() -> None:
    text = README.read_text(encoding="utf-8")
    setup = text[text.index("## Set-up") : text.index("## Three ways")]
    assert re.findall(r"^make (\w+)", setup, re.M) == ["run", "test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def main() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = catalogue_span(text)
    catalogue = render_catalogue(builtin_checks(), markdown=True)
    README.write_text(text[:start] + catalogue + text[end:], encoding="utf-8")


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
