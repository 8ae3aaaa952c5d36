"""The harness itself, without the client: scenario files are read strictly, placeholders are
filled safely, verdicts are judged as the issue defines agreement, and the strace reading finds
connections beyond loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccdoctor.core.results import Category
from tests.conformance.claude_client import FAST, ClientRun, off_loopback
from tests.conformance.harness import (
    CcdoctorRun,
    CheckLine,
    Observation,
    _start_directory,
    median_ratio,
    mode_env,
    read_report,
)
from tests.conformance.report import _row
from tests.conformance.scenario import File, Gateway, Scenario, ScenarioError, fill, load, load_all
from tests.fixtures_dir import FIXTURES
from tests.peers.fake_bedrock import FAULTS, FaultRule

HEALTHY = """
description = "healthy"
client = "ok"

[env]
ANTHROPIC_BASE_URL = "{{gateway}}"
"""


def write(tmp_path: Path, text: str, name: str = "case") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_matrix_covers_the_anthropic_route_with_causes_for_every_failure() -> None:
    scenarios = load_all()
    anthropic = [s for s in scenarios if s.provider == "anthropic"]
    bedrock = [s for s in scenarios if s.provider == "bedrock"]
    foundry = [s for s in scenarios if s.provider == "foundry"]

    assert len(anthropic) >= 30
    assert len(bedrock) >= 15
    assert len(foundry) >= 6
    assert {s.client_ok for s in scenarios} == {True, False}
    assert all(s.category is not None for s in scenarios if not s.client_ok)
    assert {s.gateway.kind for s in scenarios} == {
        "fake",
        "litellm",
        "tls",
        "dead",
        "vertex",
        "bedrock",
        "foundry",
    }


def test_a_version_table_holds_for_its_version_and_older_ones_down_to_the_next(
    tmp_path: Path,
) -> None:
    text = """
description = "the default model is refused"
client = "ok"
warns = ["config"]

[versions."2.1.197"]
why = "2.1.197 has no fallback"
client = "fail"
category = "models"
known_disagreement = "on 2.1.197 only"

[versions."2.1.300"]
why = "2.1.300 warns of nothing"
warns = []
"""
    case = load(write(tmp_path, text))

    oldest, older, middle, newest, unseen = (
        case.expect(version) for version in ("2.1.150", "2.1.197", "2.1.250", "2.1.300", "2.1.337")
    )
    assert oldest == older
    assert (older.client_ok, older.category, older.warns, older.known_disagreement) == (
        False,
        Category.MODELS,
        (Category.CONFIG,),
        "on 2.1.197 only",
    )
    assert middle == newest
    assert (newest.client_ok, newest.warns, newest.why) == (True, (), "2.1.300 warns of nothing")
    assert (unseen.client_ok, unseen.category, unseen.warns, unseen.why) == (
        True,
        None,
        (Category.CONFIG,),
        None,
    )


@pytest.mark.parametrize(
    ("table", "complaint"),
    [
        ('[versions."2.1.332"]\nclient = "ok"', "why"),
        ('[versions."2.1.332"]\nwhy = "w"\nclients = "ok"', "unknown key"),
        ('[versions."latest"]\nwhy = "w"', "x.y.z"),
    ],
)
def test_a_version_table_must_say_why_and_name_a_version(
    tmp_path: Path, table: str, complaint: str
) -> None:
    with pytest.raises(ScenarioError, match=complaint):
        load(write(tmp_path, HEALTHY + "\n" + table))


def test_main_model_placeholder_fills_the_gateway_behaviour() -> None:
    gateway = Gateway("bedrock", behaviour={"faults": [{"model": "{{main_model}}"}]})

    assert gateway.filled({"main_model": "anthropic.claude-x"}).behaviour == {
        "faults": [{"model": "anthropic.claude-x"}]
    }


def test_a_scenario_file_is_read_with_its_defaults(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, HEALTHY, "healthy_case"))

    assert scenario.name == "healthy_case"
    assert scenario.client_ok
    assert scenario.category is None
    assert scenario.gateway == Gateway("fake")
    assert scenario.env == {"ANTHROPIC_BASE_URL": "{{gateway}}"}
    assert (scenario.git, scenario.start_dir) == (False, None)
    assert mode_env(scenario, FAST) == dict(FAST.env)


def test_a_scenario_may_leave_non_essential_traffic_on(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, "nonessential_traffic = true\n" + HEALTHY))

    env = mode_env(scenario, FAST)

    assert "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC" not in env
    assert env == {"CLAUDE_CODE_MAX_RETRIES": "0", "DISABLE_AUTOUPDATER": "1"}


def test_a_scenario_may_start_both_programs_below_a_git_root(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, 'git = true\nstart_dir = "pkg/sub"\n' + HEALTHY))
    project = tmp_path / "project"

    start = _start_directory(scenario, project)

    assert start == project / "pkg" / "sub" and start.is_dir()
    assert (project / ".git" / "HEAD").is_file()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('description = "d"\nclient = "ok"\nflavour = 1\n', "unknown key(s) in scenario: flavour"),
        ('description = "d"\nclient = "maybe"\n', "client must be one of"),
        ('description = "d"\nclient = "fail"\n', "must name the category"),
        ('description = "d"\nclient = "ok"\ncategory = "proxy"\n', "only for scenarios where"),
        ('description = "d"\nclient = "fail"\ncategory = "vibes"\n', "'vibes' is not a valid"),
        ('description = "d"\nclient = "ok"\n[env]\nX = "{{gatewya}}"\n', "{{gatewya}}"),
        ('description = "d"\nclient = "ok"\n[env]\nX = 1\n', "env values must be strings"),
        ('description = "d"\nclient = "ok"\n[gateway]\nkind = "moon"\n', "gateway.kind"),
        (
            'description = "d"\nclient = "ok"\n[gateway.behaviour]\nlatencyy = 1\n',
            "latencyy is not a Behaviour field",
        ),
        (
            'description = "d"\nclient = "ok"\n[gateway]\nkind = "vertex"\n'
            "[gateway.behaviour]\nforced_status = 529\n",
            "forced_status is not a VertexBehaviour field",
        ),
        (
            'description = "d"\nclient = "ok"\n[gateway]\nkind = "litellm"\n'
            "[gateway.behaviour]\nlatency = 1\n",
            "applies to the fake, tls, vertex, bedrock, foundry kinds",
        ),
        (
            'description = "d"\nclient = "ok"\n[gateway]\nkind = "bedrock"\n'
            "[gateway.behaviour]\nforced_status = 529\n",
            "forced_status is not a Behaviour field",
        ),
        (
            'description = "d"\nclient = "ok"\n[gateway]\nkind = "bedrock"\n'
            '[[gateway.behaviour.faults]]\nfault = "model_on_fire"\n',
            "fault 'model_on_fire' is not one of",
        ),
        (
            'description = "d"\nclient = "ok"\n[gateway]\nkind = "bedrock"\n'
            '[[gateway.behaviour.faults]]\nfault = "throttled"\nwhen = "tuesday"\n',
            "unknown key(s) in fault: when",
        ),
        ('description = "d"\nclient = "ok"\n[proxy]\nkind = "socks"\n', "proxy.kind"),
        (
            'description = "d"\nclient = "ok"\n[[files]]\npath = "p"\n',
            "needs exactly one of json, text",
        ),
        ('description = "d"\nclient = "ok"\n[env\n', "case.toml"),
        ('description = "d"\nclient = "ok"\ngit = "yes"\n', "git must be true or false"),
        ('description = "d"\nclient = "ok"\nstart_dir = "/etc"\n', "start_dir must be a path"),
        ('description = "d"\nclient = "ok"\nstart_dir = "../up"\n', "start_dir must be a path"),
        ('description = "d"\nclient = "ok"\nnonessential_traffic = 1\n', "true or false"),
    ],
)
def test_a_scenario_that_does_not_say_what_it_means_is_refused(
    tmp_path: Path, text: str, complaint: str
) -> None:
    with pytest.raises(ScenarioError) as raised:
        load(write(tmp_path, text))

    assert complaint in str(raised.value)
    assert str(raised.value).startswith("case.toml: ")


def test_placeholders_are_filled_and_an_unknown_one_is_an_error() -> None:
    assert fill("{{gateway}}/v1", {"gateway": "http://127.0.0.1:1"}) == "http://127.0.0.1:1/v1"
    with pytest.raises(ScenarioError, match="proxy"):
        fill("{{proxy}}", {"gateway": "x"})


def test_a_json_file_stays_valid_json_whatever_the_placeholder_holds() -> None:
    file = File("{{home}}/s.json", json={"env": {"K": "{{key}}"}, "n": 1})

    rendered = json.loads(file.render({"key": 'a"b\\c'}))

    assert rendered == {"env": {"K": 'a"b\\c'}, "n": 1}


def test_a_text_file_is_written_as_it_is_with_placeholders_filled() -> None:
    file = File("p", text='{\n  "k": "{{key}}",\n}\n')

    assert file.render({"key": "v"}) == '{\n  "k": "v",\n}\n'


V = "2.1.197"


def scenario(client_ok: bool, category: Category | None = None, **extra: object) -> Scenario:
    return Scenario(
        name="s",
        description="d",
        client_ok=client_ok,
        category=category,
        gateway=Gateway("fake"),
        **extra,  # type: ignore[arg-type]
    )


def client(exit_code: int | None, seconds: float = 1.0, output: str = "") -> ClientRun:
    return ClientRun(exit_code, seconds, output)


def doctor(
    exit_code: int | None,
    *checks: tuple[str, str, str],
    seconds: float = 0.5,
    unreadable: str | None = None,
    stderr: str = "",
) -> CcdoctorRun:
    lines = tuple(CheckLine(i, i.split(".")[0], status, "m") for i, status, _ in checks)
    return CcdoctorRun(exit_code, seconds, lines, stderr, unreadable, stderr)


PASSING = ("config.env", "pass", "")
CRASH = (
    "Traceback (most recent call last):\n"
    '  File "ccdoctor/config/settings_files.py", line 79, in settings_paths\n'
    "RuntimeError: Could not determine home directory.\n"
)


def test_agreement_when_both_succeed_or_both_fail_in_the_expected_category() -> None:
    healthy = Observation(scenario(True), V, client(0), doctor(0, ("proxy.auth", "pass", "")))
    broken = Observation(
        scenario(False, Category.PROXY),
        V,
        client(1, output="API Error: 401"),
        doctor(1, ("config.env", "warn", ""), ("proxy.auth", "fail", ""), ("models.x", "fail", "")),
    )

    assert healthy.agrees
    assert broken.agrees


def test_a_missed_failure_the_client_failed_but_ccdoctor_passed() -> None:
    seen = Observation(
        scenario(False, Category.PROXY), V, client(1, output="boom"), doctor(0, PASSING)
    )

    assert seen.disagreements == [
        "missed failure: the client failed (boom) but ccdoctor passed (exit 0)"
    ]
    assert not seen.scenario_problems


def test_a_false_alarm_the_client_succeeded_but_ccdoctor_failed() -> None:
    seen = Observation(scenario(True), V, client(0), doctor(1, ("proxy.auth", "fail", "")))

    assert seen.disagreements == [
        "false alarm: the client succeeded but ccdoctor failed (proxy.auth is fail: m)"
    ]


def test_an_error_result_is_a_failing_verdict() -> None:
    """A check that crashed is reported as `error` and exits 1: it is ccdoctor saying
    "broken", so it agrees with a failing client and is a false alarm beside a working one."""
    erred = doctor(1, PASSING, ("proxy.auth", "error", ""))

    assert Observation(scenario(False, Category.PROXY), V, client(1), erred).agrees
    assert Observation(scenario(True), V, client(0), erred).disagreements == [
        "false alarm: the client succeeded but ccdoctor failed (proxy.auth is error: m)"
    ]


def test_the_first_failure_in_report_order_is_in_another_category() -> None:
    seen = Observation(
        scenario(False, Category.PROXY),
        V,
        client(1),
        doctor(1, ("models.anthropic", "fail", ""), ("proxy.auth", "error", "")),
    )
    erred_first = Observation(
        scenario(False, Category.PROXY),
        V,
        client(1),
        doctor(1, ("models.anthropic", "error", ""), ("proxy.auth", "fail", "")),
    )

    assert seen.disagreements == [
        "ccdoctor's first failure is models.anthropic (models), expected a proxy check"
    ]
    assert erred_first.disagreements == seen.disagreements


@pytest.mark.parametrize(
    ("run", "reason"),
    [
        pytest.param(
            doctor(1, unreadable="not JSON: Expecting value", stderr=CRASH),
            "ccdoctor crashed: Traceback (most recent call last):",
            id="traceback",
        ),
        pytest.param(
            doctor(1, PASSING, ("proxy.auth", "fail", ""), stderr="warning\n" + CRASH),
            "ccdoctor crashed: Traceback (most recent call last):",
            id="traceback-after-a-report",
        ),
        pytest.param(
            doctor(1, unreadable="not JSON: Expecting value"),
            "ccdoctor's JSON report cannot be read (not JSON: Expecting value)",
            id="unreadable-json",
        ),
        pytest.param(doctor(1), "ccdoctor's report lists no checks", id="no-checks-exit-1"),
        pytest.param(doctor(0), "ccdoctor's report lists no checks", id="no-checks-exit-0"),
        pytest.param(
            doctor(1, PASSING, ("proxy.auth", "warn", "")),
            "ccdoctor exited 1 but no check failed or errored",
            id="exit-1-without-a-failure",
        ),
        pytest.param(
            doctor(0, ("proxy.auth", "fail", "")),
            "ccdoctor exited 0 although proxy.auth is fail",
            id="exit-0-with-a-failure",
        ),
        pytest.param(doctor(2), "ccdoctor exited 2", id="usage-error"),
        pytest.param(doctor(None), "ccdoctor gave no answer within 60 s", id="timeout"),
    ],
)
@pytest.mark.parametrize("client_ok", [False, True], ids=["client-failed", "client-ok"])
def test_a_run_without_a_verdict_is_a_disagreement_whatever_the_client_did(
    run: CcdoctorRun, reason: str, client_ok: bool
) -> None:
    """A traceback exits 1 like a real failing verdict; none of these may pass for agreement
    with a failing client, nor be compared by category."""
    seen = Observation(
        scenario(client_ok, None if client_ok else Category.PROXY),
        V,
        client(0 if client_ok else 1),
        run,
    )

    assert len(seen.disagreements) == 1
    assert seen.disagreements[0].startswith(reason)
    assert not seen.agrees


def test_a_missing_warning_is_a_disagreement() -> None:
    quiet = Observation(scenario(True, warns=(Category.MODELS,)), V, client(0), doctor(0, PASSING))

    assert quiet.disagreements == ["ccdoctor shows no models warning"]


def test_the_report_is_read_only_when_the_schema_accepts_it() -> None:
    golden = (FIXTURES / "reports" / "bedrock_no_credentials" / "report.json").read_text()
    statuses = [c["status"] for c in json.loads(golden)["checks"]]

    checks, unreadable = read_report(golden)
    assert unreadable is None
    assert [c.status for c in checks] == statuses

    assert read_report(CRASH)[1] is not None and read_report(CRASH)[1].startswith("not JSON")
    half = read_report(json.dumps({"checks": [{"id": "x", "status": "fail"}]}))
    assert half[0] == ()
    assert half[1] is not None and half[1].startswith("not a report: ")


def test_a_client_that_does_not_do_what_the_scenario_says_is_a_scenario_problem() -> None:
    seen = Observation(scenario(True), V, client(None), doctor(0, PASSING))

    assert seen.scenario_problems == [
        "the scenario expects Claude Code 2.1.197 to succeed, but it failed (no answer within 60 s)"
    ]
    assert not seen.agrees


def test_the_median_ratio_counts_only_the_scenarios_where_the_client_failed() -> None:
    runs = [
        Observation(scenario(False, Category.PROXY), V, client(1, 2.0), doctor(1, seconds=1.0)),
        Observation(scenario(False, Category.PROXY), V, client(1, 1.0), doctor(1, seconds=1.0)),
        Observation(scenario(False, Category.PROXY), V, client(1, 4.0), doctor(1, seconds=1.0)),
        Observation(scenario(True), V, client(0, 0.1), doctor(0, seconds=9.0)),
    ]

    assert median_ratio(runs) == 0.5
    assert median_ratio(runs[3:]) is None


def test_connections_beyond_loopback_are_read_from_the_strace_log(tmp_path: Path) -> None:
    log = tmp_path / "connects.strace"
    log.write_text(
        '1 connect(16, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr("127.0.0.1")}'
        ", 16) = -1 EINPROGRESS\n"
        '1 connect(4, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT\n'
        '2 connect(16, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}'
        ", 16) = 0\n"
        "3 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2607:6bc0::10", &sin6_addr), sin6_scope_id=0}, 28) = -1\n'
        "3 connect(9, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0\n'
    )

    assert off_loopback(log) == ["10.0.0.53:53", "2607:6bc0::10:443"]
    assert off_loopback(tmp_path / "never-written") == []


def test_the_clients_last_word_is_read_from_stdout_before_stderr() -> None:
    helper_then_401 = ClientRun(1, 1.0, "Invalid API key\n", "apiKeyHelper failed: exited 1\n")

    assert helper_then_401.last_line == "Invalid API key"
    assert ClientRun(1, 1.0, "", "boom\n\n").last_line == "boom"
    assert ClientRun(1, 1.0, "", "").last_line == "no output"
    assert ClientRun(None, 400.0, "", "", timeout=400.0).last_line == "no answer within 400 s"


def test_vertex_behaviour_tables_become_the_sets_the_fake_reads() -> None:
    gateway = Gateway(
        "vertex",
        behaviour={
            "served": {"us-east5": ["claude-sonnet-4-5@20250929"]},
            "quota_exhausted": [["p", "us-east5", "m"]],
        },
    )

    behaviour = gateway.make_vertex_behaviour()

    assert behaviour.served == {"us-east5": frozenset({"claude-sonnet-4-5@20250929"})}
    assert behaviour.quota_exhausted == frozenset({("p", "us-east5", "m")})
    assert behaviour.require_auth is False


def test_bedrock_behaviour_tables_become_the_fields_the_fake_reads() -> None:
    gateway = Gateway(
        "bedrock",
        behaviour={
            "region": "eu-west-1",
            "models": ["anthropic.claude-opus-5", "anthropic.claude-haiku-4-5-20251001-v1:0"],
            "hidden_profiles": ["global.anthropic.claude-opus-5"],
            "faults": [{"fault": "model_not_enabled", "model": "opus", "in_stream": True}],
        },
    )

    behaviour = gateway.make_bedrock_behaviour()

    assert behaviour.region == "eu-west-1"
    assert behaviour.models == (
        "anthropic.claude-opus-5",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
    )
    assert behaviour.hidden_profiles == frozenset({"global.anthropic.claude-opus-5"})
    assert behaviour.faults == (
        FaultRule(FAULTS["model_not_enabled"], model="opus", in_stream=True),
    )
    assert behaviour.auth == "any"


def test_the_agreement_table_shows_a_run_without_a_verdict_as_such() -> None:
    crashed = Observation(
        scenario(False, Category.PROXY),
        V,
        client(1),
        doctor(1, unreadable="not JSON: Expecting value", stderr=CRASH),
    )

    row = _row(crashed.scenario, crashed)

    assert row[3].startswith("no verdict: ccdoctor crashed")
    assert row[-1] == "NO"
