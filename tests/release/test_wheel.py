"""The wheel a user installs: what it carries, and the commands it provides, run from a fresh
venv with nothing but its runtime dependencies."""

from __future__ import annotations

import json
import tarfile
from email.parser import Parser
from pathlib import Path

import pytest

from ccdoctor import __version__
from ccdoctor.engine.registry import load_catalogue
from tests.machine import REPO
from tests.release.conftest import DISTRIBUTION, Built, Installed, expected_version_line
from tests.schema import validate_report, validator_for

pytestmark = [pytest.mark.release, pytest.mark.timeout(900)]

PACKAGE = REPO / "ccdoctor"


def package_data() -> list[str]:
    """Every file of the package that is not Python source: read at run time through
    importlib.resources, so a wheel without one breaks only once installed."""
    return sorted(
        path.relative_to(REPO).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    )


def builtin_ids() -> list[str]:
    return sorted(c.spec.id for c in load_catalogue(include_plugins=False).checks)


def test_the_package_has_data_files_to_ship() -> None:
    # Guards the next test against passing on an empty list.
    assert "ccdoctor/schema/report.schema.json" in package_data()
    assert any(name.startswith("ccdoctor/clients/versions/") for name in package_data())


def test_the_wheel_carries_the_package_data_and_the_metadata(built: Built) -> None:
    names = built.wheel_names()
    assert [name for name in package_data() if name not in names] == []
    dist_info = f"claude_code_doctor-{__version__}.dist-info"
    metadata = Parser().parsestr(built.wheel_text(f"{dist_info}/METADATA"))
    assert metadata["Name"] == DISTRIBUTION
    assert metadata["Version"] == __version__
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# ccdoctor\n")
    assert metadata.get_all("Project-URL")
    assert f"{dist_info}/licenses/LICENSE" in names
    entry_points = built.wheel_text(f"{dist_info}/entry_points.txt")
    assert "[console_scripts]\nccdoctor = ccdoctor.__main__:main" in entry_points
    # The test suite and the fixtures stay out of the wheel.
    assert not [name for name in names if name.startswith(("tests/", "fixtures/"))]


def test_the_sdist_rebuilds_the_same_package(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        root = f"claude_code_doctor-{__version__}/"
        names = {name.removeprefix(root) for name in archive.getnames()}
    assert {"pyproject.toml", "README.md", "LICENSE"} <= names
    assert [name for name in package_data() if name not in names] == []


def test_the_installed_command_runs_from_the_venv(installed: Installed) -> None:
    where = installed.run(
        str(installed.bin / "python"), "-c", "import ccdoctor; print(ccdoctor.__file__)"
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.venv)
    for command in (["ccdoctor"], [str(installed.bin / "python"), "-m", "ccdoctor"]):
        result = installed.run(*command, "--version")
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected_version_line() + "\n"


def test_list_names_every_builtin_check(installed: Installed) -> None:
    result = installed.run("ccdoctor", "list")
    assert result.returncode == 0, result.stderr
    # Below the header and its rule; a title wrapped to the width continues on indented lines.
    rows = [row for row in result.stdout.splitlines()[2:] if row and not row[0].isspace()]
    assert sorted(row.split()[0] for row in rows) == builtin_ids()
    assert result.stderr == ""


def test_an_offline_json_report_validates_against_the_shipped_schema(
    installed: Installed,
) -> None:
    shipped = installed.run(
        str(installed.bin / "python"),
        "-c",
        "from importlib.resources import files; "
        "print(files('ccdoctor').joinpath('schema', 'report.schema.json').read_text(), end='')",
    )
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout == (PACKAGE / "schema" / "report.schema.json").read_text("utf-8")

    result = installed.run("ccdoctor", "--offline", "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr
    data = json.loads(result.stdout)
    validate_report(data, validator_for(shipped.stdout))
    assert data["tool"] == {"name": "ccdoctor", "version": __version__}
    assert sorted(check["id"] for check in data["checks"]) == builtin_ids()
    # An empty HOME has no credential: the report fails, and says so in its exit code.
    assert result.returncode == data["exit_code"] == 1
    network = {c.spec.id for c in load_catalogue(include_plugins=False).checks if c.spec.network}
    assert {c["status"] for c in data["checks"] if c["id"] in network} == {"skip"}
