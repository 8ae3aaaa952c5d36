"""The report's configuration table: what ccdoctor judged, as the user reads it in every format
(the route and its winning flag, the models with how each was reached, the route's regions, the
variables and settings that matter, secrets as fingerprints only)."""

from __future__ import annotations

from ccdoctor.config.redaction import redactor_for
from ccdoctor.core.redact import Redactor
from ccdoctor.core.results import Category, CheckResult, Status
from ccdoctor.report.build import ConfigEntry, build_report, config_entries, display_value
from tests.machine import Machine


def _entries(machine: Machine) -> dict[str, ConfigEntry]:
    config = machine.resolve()
    found = config_entries(config, redactor_for(config))
    assert len({e.name for e in found}) == len(found), "a name appears twice"
    return {e.name: e for e in found}


def _row(entry: ConfigEntry) -> tuple[str, str | None, str]:
    return entry.kind, entry.value, entry.source


def test_a_bedrock_run_shows_its_region_prefix_and_a_separate_small_fast_region(
    machine: Machine,
) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_BEDROCK="1",
        AWS_REGION="eu-west-1",
        ANTHROPIC_SMALL_FAST_MODEL="haiku",
        ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="us-east-1",
    )
    entries = _entries(machine)

    assert _row(entries["provider"]) == (
        "derived",
        "bedrock",
        "CLAUDE_CODE_USE_BEDROCK from shell environment",
    )
    assert _row(entries["bedrock.region"]) == ("derived", "eu-west-1", "AWS_REGION")
    assert _row(entries["bedrock.profile_prefix"]) == ("derived", "eu", "region")
    assert _row(entries["bedrock.small_fast_region"]) == (
        "derived",
        "us-east-1",
        "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION",
    )
    assert entries["model.small_fast"].value == "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert not any(name.startswith("vertex.") for name in entries)


def test_a_small_fast_region_is_shown_only_when_it_differs_from_the_main_one(
    machine: Machine,
) -> None:
    machine.env.update(CLAUDE_CODE_USE_BEDROCK="1", AWS_REGION="eu-west-1")
    assert "bedrock.small_fast_region" not in _entries(machine)


def test_a_vertex_run_shows_its_project_and_the_region_of_each_model(machine: Machine) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_VERTEX="1",
        ANTHROPIC_VERTEX_PROJECT_ID="proj-1",
        CLOUD_ML_REGION="us-east5",
        VERTEX_REGION_CLAUDE_HAIKU_4_5="europe-west1",
        ANTHROPIC_SMALL_FAST_MODEL="claude-haiku-4-5@20251001",
    )
    entries = _entries(machine)

    assert _row(entries["provider"])[1] == "vertex"
    assert _row(entries["vertex.project"]) == ("derived", "proj-1", "ANTHROPIC_VERTEX_PROJECT_ID")
    assert _row(entries["vertex.region.main"]) == ("derived", "us-east5", "CLOUD_ML_REGION")
    assert _row(entries["vertex.region.small_fast"]) == (
        "derived",
        "europe-west1",
        "VERTEX_REGION_CLAUDE_HAIKU_4_5",
    )
    assert not any(name.startswith("bedrock.") for name in entries)


def test_a_vertex_project_lists_the_names_it_beat(machine: Machine) -> None:
    machine.env.update(
        CLAUDE_CODE_USE_VERTEX="1",
        GOOGLE_CLOUD_PROJECT="from-google",
        ANTHROPIC_VERTEX_PROJECT_ID="from-anthropic",
    )
    project = _entries(machine)["vertex.project"]
    assert (project.value, project.source) == ("from-google", "GOOGLE_CLOUD_PROJECT")
    assert project.shadowed == (("ANTHROPIC_VERTEX_PROJECT_ID", "from-anthropic"),)


def test_a_vertex_run_without_a_project_says_it_is_not_set(machine: Machine) -> None:
    machine.env.update(CLAUDE_CODE_USE_VERTEX="1", CLOUD_ML_REGION="us-east5")
    assert _row(_entries(machine)["vertex.project"]) == ("derived", None, "not set")


def test_the_anthropic_route_says_no_flag_chose_it_and_where_the_version_came_from(
    machine: Machine,
) -> None:
    entries = _entries(machine)
    assert _row(entries["provider"]) == (
        "derived",
        "anthropic",
        "no provider flag is truthy: Anthropic API",
    )
    assert _row(entries["claude_code_version"]) == ("derived", "2.1.197", "claude --version")
    assert entries["model.defaults"].kind == "derived"
    assert "2.1.197" in entries["model.defaults"].source
    assert not any(name.startswith(("bedrock.", "vertex.")) for name in entries)

    machine.claude_version = None
    assert _row(_entries(machine)["claude_code_version"]) == (
        "derived",
        None,
        "not found on PATH",
    )


def test_a_model_shows_its_1m_suffix_and_each_step_that_led_to_it(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "opus[1m]"
    main = _entries(machine)["model.main"]
    steps = main.source.split(" → ")

    assert main.value is not None and main.value.endswith("[1m]")
    assert main.value.removesuffix("[1m]") == machine.resolve().main_model.model_id
    assert steps[0] == "'opus[1m]' from shell environment"
    assert len(steps) > 2 and any("alias 'opus'" in step for step in steps)

    machine.env["ANTHROPIC_MODEL"] = "opus"
    assert not (_entries(machine)["model.main"].value or "").endswith("[1m]")


def test_variables_that_matter_and_those_from_settings_files_are_shown_others_not(
    machine: Machine,
) -> None:
    machine.env.update(AWS_PROFILE="dev", EDITOR="vi", HTTPS_PROXY="http://127.0.0.1:1")
    machine.user_settings({"env": {"MY_TEAM_VARIABLE": "1"}})
    entries = _entries(machine)

    assert _row(entries["AWS_PROFILE"]) == ("env", "dev", "shell environment")
    assert _row(entries["HTTPS_PROXY"]) == ("env", "http://127.0.0.1:1", "shell environment")
    assert entries["MY_TEAM_VARIABLE"].kind == "env"
    assert entries["MY_TEAM_VARIABLE"].source.startswith("user settings")
    assert "EDITOR" not in entries


def test_connectivity_settings_are_shown_with_their_file_and_others_are_not(
    machine: Machine,
) -> None:
    path = machine.user_settings(
        {"apiKeyHelper": "echo hi", "model": "sonnet", "cleanupPeriodDays": 3}
    )
    entries = _entries(machine)

    assert _row(entries["apiKeyHelper"]) == ("setting", "echo hi", f"user settings ({path})")
    assert _row(entries["model"]) == ("setting", "sonnet", f"user settings ({path})")
    assert "cleanupPeriodDays" not in entries


def test_a_shadowed_secret_is_listed_with_its_source_as_a_fingerprint(machine: Machine) -> None:
    in_shell = "sk-ant-api03-" + "x" * 20
    in_file = "sk-ant-api03-" + "y" * 20
    machine.env["ANTHROPIC_API_KEY"] = in_shell
    machine.user_settings({"env": {"ANTHROPIC_API_KEY": in_file}})
    key = _entries(machine)["ANTHROPIC_API_KEY"]

    assert key.value == "<anthropic_api_key: 33 chars …yyyy>"
    assert key.shadowed == (("shell environment", "<anthropic_api_key: 33 chars …xxxx>"),)


def test_a_shadowed_plain_value_is_shown_scrubbed_of_known_secrets(machine: Machine) -> None:
    key = "sk-ant-api03-" + "z" * 20
    machine.env.update(ANTHROPIC_API_KEY=key, ANTHROPIC_BASE_URL=f"http://127.0.0.1:1/?k={key}")
    machine.user_settings({"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:2"}})
    url = _entries(machine)["ANTHROPIC_BASE_URL"]

    assert url.value == "http://127.0.0.1:2"
    ((where, shown),) = url.shadowed
    assert where == "shell environment"
    assert shown == "http://127.0.0.1:1/?k=<anthropic_api_key: 33 chars …zzzz>"


def test_a_value_is_shown_as_text_secrets_by_kind_headers_by_name_only() -> None:
    redactor = Redactor([("known-secret-value-123", "helper-output")])

    assert display_value("API_TIMEOUT_MS", None, redactor) is None
    assert display_value("API_TIMEOUT_MS", 600000, redactor) == "600000"
    assert display_value("CLAUDE_CODE_USE_BEDROCK", True, redactor) == "True"
    # A secret variable is fingerprinted by its own name, whatever the redactor knows.
    assert display_value("ANTHROPIC_AUTH_TOKEN", " token-abcdefghijklmnop1234 ", redactor) == (
        "<anthropic_auth_token: 26 chars …1234>"
    )
    assert display_value("ANTHROPIC_AUTH_TOKEN", "", redactor) == ""
    assert display_value("anthropic_custom_headers", "X-A: s3cr3t:value\nX-B: 2", redactor) == (
        "headers: X-A: <redacted>, X-B: <redacted>"
    )
    # A one-line export separates its headers with a literal \n, as the client reads it.
    assert display_value("ANTHROPIC_CUSTOM_HEADERS", "X-A: s3cr3t\\nX-B: 2", redactor) == (
        "headers: X-A: <redacted>, X-B: <redacted>"
    )
    # Any other value is scrubbed of the secrets the run knows.
    shown = display_value("ANTHROPIC_BASE_URL", "https://h/?k=known-secret-value-123", redactor)
    assert shown is not None and "known-secret-value-123" not in shown
    assert shown.startswith("https://h/?k=<helper-output:")


def test_the_report_carries_the_run_its_summary_and_strictness(machine: Machine) -> None:
    config = machine.resolve()
    results = [
        CheckResult("a.one", Category.CONFIG, "One", Status.PASS, "ok", None, {}, 1.0),
        CheckResult("a.two", Category.CONFIG, "Two", Status.WARN, "hm", None, {}, 1.0),
    ]
    report = build_report(config, results, 12.345, redactor_for(config), strict=True)

    assert report.claude_code_version == "2.1.197"
    assert report.provider == "anthropic"
    assert report.results == tuple(results)
    assert report.summary.duration_ms == 12.3
    assert report.summary.counts[Status.WARN] == 1
    assert report.strict is True and report.exit_code == 1
    assert build_report(config, results, 1.0, redactor_for(config)).exit_code == 0
    assert {e.name for e in report.config} >= {"provider", "model.main", "model.small_fast"}
