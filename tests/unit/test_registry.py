"""The catalogue: built-in discovery, plugins from the `ccdoctor.checks` entry-point group, and
what `--only`/`--skip` select."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import ccdoctor.checks
from ccdoctor.config.redaction import redactor_for
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.results import Category, Outcome, Status, passed
from ccdoctor.engine.registry import (
    RESERVED_CHECK_IDS,
    PluginFailure,
    UnknownSelector,
    load_catalogue,
    plugin_checks,
    select,
)
from ccdoctor.engine.runner import run_checks
from ccdoctor.spec import Check, check
from tests.machine import Machine
from tests.plugins import cli_with_plugins, install_plugin
from tests.schema import validate_report


def ok(ctx: CheckContext) -> Outcome:
    return passed("fine")


def make(check_id: str, category: Category, needs: Iterable[str] = ()) -> Check:
    return check(check_id, check_id, category, "a test check", needs=needs)(ok)


CATALOGUE = [
    make("config.base", Category.CONFIG),
    make("config.derived", Category.CONFIG, needs=["config.base"]),
    make("credentials.keys", Category.CREDENTIALS, needs=["config.derived"]),
    make("network.dns", Category.NETWORK),
    make("network.tls", Category.NETWORK, needs=["network.dns"]),
]


def ids(checks: Iterable[Check]) -> list[str]:
    return [c.spec.id for c in checks]


# --- select ---------------------------------------------------------------------------------


def test_no_selector_keeps_every_check_in_order() -> None:
    assert ids(select(CATALOGUE, [], [])) == ids(CATALOGUE)


@pytest.mark.parametrize(
    ("only", "expected"),
    [
        (["network.dns"], ["network.dns"]),
        (["network"], ["network.dns", "network.tls"]),
        (["config.*"], ["config.base", "config.derived"]),
        (["*.d*"], ["config.base", "config.derived", "network.dns"]),
        ([" network.dns "], ["network.dns"]),
        (["network.dns", "config"], ["config.base", "config.derived", "network.dns"]),
    ],
    ids=["id", "category", "glob", "glob-with-needs", "spaces", "several"],
)
def test_only_selects_by_id_category_or_glob(only: list[str], expected: list[str]) -> None:
    assert ids(select(CATALOGUE, only, [])) == expected


def test_only_keeps_the_needs_of_what_it_selects_transitively() -> None:
    chosen = select(CATALOGUE, ["credentials.keys"], [])
    assert ids(chosen) == ["config.base", "config.derived", "credentials.keys"]


def test_skip_removes_by_id_category_or_glob() -> None:
    assert ids(select(CATALOGUE, [], ["network"])) == [
        "config.base",
        "config.derived",
        "credentials.keys",
    ]
    assert ids(select(CATALOGUE, [], ["*.d*", "credentials.keys"])) == [
        "config.base",
        "network.tls",
    ]


def test_skip_wins_over_a_need_kept_by_only() -> None:
    chosen = select(CATALOGUE, ["credentials.keys"], ["config.base"])
    assert ids(chosen) == ["config.derived", "credentials.keys"]


@pytest.mark.parametrize(
    ("only", "skip", "option"),
    [(["nosuch"], [], "--only"), ([], ["network.nosuch*"], "--skip"), (["Config"], [], "--only")],
)
def test_a_selector_that_matches_nothing_is_rejected(
    only: list[str], skip: list[str], option: str
) -> None:
    with pytest.raises(UnknownSelector) as raised:
        select(CATALOGUE, only, skip)
    selector = (only or skip)[0]
    assert str(raised.value).startswith(f"{option} {selector!r} matches no check")


# --- built-in checks ------------------------------------------------------------------------


def test_builtin_checks_are_discovered_in_category_order() -> None:
    catalogue = load_catalogue(include_plugins=False)
    provider = catalogue.by_id("config.provider")
    assert provider is not None
    assert provider.origin == "builtin"
    assert catalogue.by_id("no.such.check") is None
    order = [list(Category).index(c.spec.category) for c in catalogue.checks]
    assert order == sorted(order)
    assert len(set(ids(catalogue.checks))) == len(catalogue.checks)


@pytest.fixture
def extra_builtins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory that counts as part of the ccdoctor.checks package for one test."""
    folder = tmp_path / "more_checks"
    folder.mkdir()
    monkeypatch.setattr(ccdoctor.checks, "__path__", [*ccdoctor.checks.__path__, str(folder)])
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("ccdoctor.checks.zz_"):
            del sys.modules[name]


def test_a_builtin_module_that_fails_to_import_is_reported_not_raised(
    extra_builtins: Path, machine: Machine
) -> None:
    (extra_builtins / "zz_broken.py").write_text("import botocore_that_is_not_there\n")
    # Importing another module's check to refer to it must not register it twice.
    (extra_builtins / "zz_reuses.py").write_text(
        "from ccdoctor.checks.config_provider import provider_check\n"
    )
    catalogue = load_catalogue(include_plugins=False)
    assert ids(catalogue.checks).count("config.provider") == 1
    assert catalogue.failures == (
        PluginFailure(
            "zz_broken",
            "ModuleNotFoundError: No module named 'botocore_that_is_not_there'",
            builtin=True,
        ),
    )
    config = machine.resolve()
    ctx = CheckContext(config, RunOptions(), redactor_for(config))
    results = run_checks(select(catalogue.checks, ["config.provider"], []), ctx, catalogue.failures)
    assert [(r.id, r.status) for r in results] == [
        ("config.provider", Status.PASS),
        ("builtin.zz_broken", Status.ERROR),
    ]


def test_two_builtin_checks_with_one_id_are_reported(extra_builtins: Path) -> None:
    (extra_builtins / "zz_twin.py").write_text(
        "from ccdoctor.model import Category, check, passed\n"
        "@check(id='config.provider', title='twin', category=Category.CONFIG, description='-')\n"
        "def twin(ctx):\n"
        "    return passed('twin')\n"
    )
    catalogue = load_catalogue(include_plugins=False)
    assert ids(catalogue.checks).count("config.provider") == 1
    assert [(f.result_id, f.error) for f in catalogue.failures] == [
        ("builtin.config.provider", "two built-in modules define this check id")
    ]


# --- plugins, in-process --------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site directory on sys.path; plugin modules imported from it are forgotten afterwards."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in [n for n in sys.modules if n.startswith("ccdoctor_plugin_")]:
        del sys.modules[name]


def test_a_plugin_check_is_found_through_its_entry_point(site: Path) -> None:
    install_plugin(site, "ccdoctor_plugin_demo", "demo")
    checks, failures = plugin_checks()
    assert failures == []
    assert ids(checks) == ["demo.greeting"]
    assert checks[0].origin == "plugin demo (ccdoctor-plugin-demo)"
    catalogue = load_catalogue()
    assert ids(catalogue.checks)[-1] == "demo.greeting"
    assert load_catalogue(include_plugins=False).by_id("demo.greeting") is None


def test_an_entry_point_may_name_one_check_object(site: Path) -> None:
    install_plugin(site, "ccdoctor_plugin_demo", "demo", "ccdoctor_plugin_demo:greeting")
    checks, failures = plugin_checks()
    assert (ids(checks), failures) == (["demo.greeting"], [])


def test_an_entry_point_holding_no_check_is_a_failure(site: Path) -> None:
    install_plugin(site, "ccdoctor_plugin_demo", "empty", "ccdoctor_plugin_demo:__doc__")
    checks, failures = plugin_checks()
    assert checks == []
    assert failures == [PluginFailure("empty", "entry point holds no ccdoctor Check")]


def test_a_plugin_that_cannot_be_imported_is_a_failure(site: Path) -> None:
    install_plugin(site, "ccdoctor_plugin_broken", "broken")
    catalogue = load_catalogue()
    assert catalogue.by_id("config.provider") is not None
    assert catalogue.failures == (
        PluginFailure(
            "broken", "ModuleNotFoundError: No module named 'ccdoctor_plugin_missing_dependency'"
        ),
    )


def test_a_plugin_may_not_take_a_builtin_or_reserved_id(site: Path) -> None:
    install_plugin(site, "ccdoctor_plugin_clash", "clash")
    catalogue = load_catalogue()
    provider = catalogue.by_id("config.provider")
    assert provider is not None
    assert provider.origin == "builtin"
    assert "models.bedrock" in RESERVED_CHECK_IDS
    bedrock = catalogue.by_id("models.bedrock")
    assert bedrock is None or bedrock.origin == "builtin"
    own = catalogue.by_id("clash.own")
    assert own is not None
    assert own.origin == "plugin clash (ccdoctor-plugin-clash)"
    [failure] = catalogue.failures
    assert failure.name == "clash"
    assert "check id 'config.provider' is already taken by a built-in check" in failure.error
    assert "check id 'models.bedrock' is already" in failure.error


def test_a_plugin_with_malformed_checks_loses_only_those(site: Path, machine: Machine) -> None:
    install_plugin(site, "ccdoctor_plugin_sloppy", "sloppy")
    catalogue = load_catalogue()
    [failure] = catalogue.failures
    assert failure.name == "sloppy"
    assert "'sloppy.category' has category 'config', not a ccdoctor.model.Category" in (
        failure.error
    )
    assert catalogue.by_id("sloppy.category") is None
    assert "check id ['sloppy', 'listed'] is not a non-empty string" in failure.error
    returns_dict = catalogue.by_id("sloppy.result")
    assert returns_dict is not None
    config = machine.resolve()
    ctx = CheckContext(config, RunOptions(), redactor_for(config))
    [result] = run_checks([returns_dict], ctx)
    assert result.status is Status.ERROR
    assert "check returned dict, not an Outcome" in result.message


def test_failures_of_entry_points_sharing_a_name_are_merged(site: Path) -> None:
    install_plugin(site, "ccdoctor_plugin_broken", "acme")
    install_plugin(site, "ccdoctor_plugin_clash", "acme")
    catalogue = load_catalogue()
    [failure] = catalogue.failures
    assert failure.result_id == "plugin.acme"
    assert "No module named" in failure.error
    assert "'config.provider' is already taken" in failure.error


# --- plugins, through the real command ------------------------------------------------------


def test_a_working_plugin_is_listed_and_run(tmp_path: Path, machine: Machine) -> None:
    install_plugin(tmp_path, "ccdoctor_plugin_demo", "demo")
    listing = cli_with_plugins(machine, tmp_path, "list")
    assert listing.returncode == 0, listing.stderr
    # 80 columns leave no room for an origin column: each check gets a block of its own.
    block = listing.stdout.split("demo.greeting", 1)[1].split("\n\n", 1)[0]
    assert "plugin demo (ccdoctor-plugin-demo)" in " ".join(block.split())

    run = cli_with_plugins(machine, tmp_path, "--format", "json", "--only", "demo.greeting")
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    validate_report(report)
    checks = {c["id"]: c for c in report["checks"]}
    assert list(checks) == ["config.provider", "demo.greeting"]
    assert checks["demo.greeting"]["status"] == "pass"
    assert checks["demo.greeting"]["message"] == "hello from the demo plugin (anthropic)"
    assert checks["demo.greeting"]["origin"] == "plugin demo (ccdoctor-plugin-demo)"
    assert run.returncode == 0


def test_a_plugin_that_fails_to_import_is_an_error_and_the_run_completes(
    tmp_path: Path, machine: Machine
) -> None:
    install_plugin(tmp_path, "ccdoctor_plugin_broken", "broken")
    install_plugin(tmp_path, "ccdoctor_plugin_demo", "demo")
    run = cli_with_plugins(machine, tmp_path, "--format", "json", "--only", "config.provider")
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    validate_report(report)
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["config.provider"]["status"] == "pass"
    broken = checks["plugin.broken"]
    assert broken["status"] == "error"
    assert "No module named 'ccdoctor_plugin_missing_dependency'" in broken["message"]
    assert broken["fix"]["text"]
    assert report["exit_code"] == run.returncode == 1

    listing = cli_with_plugins(machine, tmp_path, "list")
    assert listing.returncode == 0
    assert "demo.greeting" in listing.stdout
    assert "plugin broken: could not be loaded" in listing.stderr
    assert "Traceback" not in listing.stderr


def test_a_plugin_claiming_a_builtin_id_is_an_error(tmp_path: Path, machine: Machine) -> None:
    install_plugin(tmp_path, "ccdoctor_plugin_clash", "clash")
    run = cli_with_plugins(machine, tmp_path, "--format", "json", "--only", "config.provider")
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    validate_report(report)
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["config.provider"]["origin"] == "builtin"
    assert "impostor" not in checks["config.provider"]["message"]
    assert checks["plugin.clash"]["status"] == "error"
    assert "'config.provider' is already taken" in checks["plugin.clash"]["message"]
    assert "'models.bedrock' is already" in checks["plugin.clash"]["message"]
    assert run.returncode == 1
