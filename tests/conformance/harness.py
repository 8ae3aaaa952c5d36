"""One scenario, run twice on the identical set-up: by the real client and by ccdoctor.

Each scenario gets its own HOME, project and scratch directory, filled from the scenario file,
and its own endpoint; both programs get the same environment (the scenario's, plus PATH, HOME
and the harness variables), the same working directory and the same extra arguments.
ccdoctor runs first, so that it sees the machine exactly as written, before the client leaves
its ~/.claude.json and session files behind.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from ccdoctor.clients.facts import facts_for, parse_version
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category
from tests.conformance.claude_client import (
    FAST,
    NO_TRAFFIC,
    ClientRun,
    Mode,
    off_loopback,
    run_client,
)
from tests.conformance.lab import Endpoint, Lab, proxy_urls, scenario_endpoint
from tests.conformance.scenario import Expectation, Scenario, fill
from tests.peers.blackhole import closed_port
from tests.peers.fake_anthropic import DEFAULT_OAUTH_TOKEN
from tests.peers.fake_vertex import PROJECT as VERTEX_PROJECT
from tests.peers.ports import LOOPBACK
from tests.schema import validate_report

CCDOCTOR_TIMEOUT = 60.0
FAILING = ("fail", "error")
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class CheckLine:
    id: str
    category: str
    status: str
    message: str


@dataclass(frozen=True)
class CcdoctorRun:
    exit_code: int | None
    """None when the run timed out."""
    seconds: float
    checks: tuple[CheckLine, ...]
    output: str
    """Raw output, kept for the failure message when the JSON cannot be read."""
    unreadable: str | None = None
    """Why stdout is not a JSON report ccdoctor's schema describes, or None when it is."""
    stderr: str = ""

    @property
    def first_failure(self) -> CheckLine | None:
        return next((c for c in self.checks if c.status in FAILING), None)

    def warnings_in(self, category: Category) -> list[CheckLine]:
        return [c for c in self.checks if c.status == "warn" and c.category == category.value]

    @property
    def no_verdict(self) -> str | None:
        """Why this run gave no verdict at all, or None when it did. A crash exits 1 like a real
        failing verdict, so the exit code alone would count a traceback as agreeing with a
        client that failed."""
        if self.exit_code is None:
            return f"ccdoctor gave no answer within {CCDOCTOR_TIMEOUT:.0f} s"
        if self.exit_code not in (0, 1):
            return f"ccdoctor exited {self.exit_code}: {self.output[-600:]}"
        if TRACEBACK in self.stderr:
            return f"ccdoctor crashed: {self.stderr[self.stderr.index(TRACEBACK) :][-600:]}"
        if self.unreadable is not None:
            return (
                f"ccdoctor's JSON report cannot be read ({self.unreadable}): {self.output[-600:]}"
            )
        if not self.checks:
            return "ccdoctor's report lists no checks"
        failure = self.first_failure
        if self.exit_code == 1 and failure is None:
            return "ccdoctor exited 1 but no check failed or errored"
        if self.exit_code == 0 and failure is not None:
            return f"ccdoctor exited 0 although {failure.id} is {failure.status}"
        return None


@dataclass(frozen=True)
class Observation:
    scenario: Scenario
    version: str
    """The client version that ran."""
    client: ClientRun
    ccdoctor: CcdoctorRun
    off_loopback: tuple[str, ...] | None = None
    """Non-loopback addresses the client tried to reach; None when not traced."""

    @property
    def scenario_problems(self) -> list[str]:
        """Where the client itself did not do what the scenario says it does: the scenario
        (or our understanding of the client) is wrong, whatever ccdoctor says."""
        if self.client.ok == self.expected.client_ok:
            return []
        expected = "succeed" if self.expected.client_ok else "fail"
        return [
            f"the scenario expects Claude Code {self.version} to {expected}, "
            f"but it {self.client_outcome}"
        ]

    @property
    def expected(self) -> Expectation:
        return self.scenario.expect(self.version)

    @property
    def disagreements(self) -> list[str]:
        """Where ccdoctor's verdict differs from the client's or names the wrong category."""
        found = []
        doctor = self.ccdoctor
        if (broken := doctor.no_verdict) is not None:
            # Nothing ccdoctor printed can be compared: neither its verdict nor its category.
            return [broken]
        failure = doctor.first_failure
        if self.client.ok and failure is not None:
            found.append(
                f"false alarm: the client succeeded but ccdoctor failed "
                f"({failure.id} is {failure.status}: {failure.message})"
            )
        elif not self.client.ok and failure is None:
            found.append(
                f"missed failure: the client {self.client_outcome} but ccdoctor passed (exit 0)"
            )
        expected = self.expected.category
        if (
            not self.client.ok
            and expected is not None
            and failure is not None
            and failure.category != expected.value
        ):
            found.append(
                f"ccdoctor's first failure is {failure.id} ({failure.category}), "
                f"expected a {expected.value} check"
            )
        for category in self.expected.warns:
            if not self.ccdoctor.warnings_in(category):
                found.append(f"ccdoctor shows no {category.value} warning")
        return found

    @property
    def agrees(self) -> bool:
        return not self.scenario_problems and not self.disagreements

    @property
    def client_outcome(self) -> str:
        return "succeeded" if self.client.ok else f"failed ({self.client.last_line})"

    def explain(self) -> str:
        """Everything needed to understand a mismatch without re-running it."""
        checks = "\n".join(f"  {c.status:5} {c.id}: {c.message}" for c in self.ccdoctor.checks)
        return (
            f"scenario {self.scenario.name} on Claude Code {self.version}: "
            f"{self.scenario.description}\n"
            + "".join(f"- {problem}\n" for problem in self.scenario_problems + self.disagreements)
            + f"client exit {self.client.exit_code} in {self.client.seconds:.2f} s:\n"
            + _indent(self.client.output[-1500:])
            + f"ccdoctor exit {self.ccdoctor.exit_code} in {self.ccdoctor.seconds:.2f} s:\n"
            + (checks or _indent(self.ccdoctor.output[-1500:]))
        )


@dataclass(frozen=True)
class ClientUnderTest:
    version: str
    binary: Path


def observe(
    scenario: Scenario,
    lab: Lab,
    client: ClientUnderTest,
    workdir: Path,
    mode: Mode = FAST,
    trace: bool = False,
    python: str = sys.executable,
) -> Observation:
    home, project, scratch = workdir / "home", workdir / "project", workdir / "tmp"
    for directory in (home, project, scratch):
        directory.mkdir(parents=True, exist_ok=True)
    early = {"main_model": main_model(scenario, client.version)}
    with scenario_endpoint(scenario, lab, early) as endpoint:
        values = early | _placeholder_values(scenario, lab, endpoint, home, project, scratch)
        _write_files(scenario, values)
        start = _start_directory(scenario, project)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            **mode_env(scenario, mode),
            **{name: fill(value, values) for name, value in scenario.env.items()},
        }
        args = [fill(arg, values) for arg in scenario.args]
        managed = Path(values["managed"])
        doctor = run_ccdoctor(args, env, start, managed, client.version, python)
        connect_log = workdir / "client-connects.strace" if trace else None
        given = managed if managed.exists() else None
        ran = run_client(client.binary, args, env, start, mode.timeout, connect_log, given)
    reached = tuple(off_loopback(connect_log)) if connect_log is not None else None
    return Observation(scenario, client.version, ran, doctor, reached)


def mode_env(scenario: Scenario, mode: Mode) -> dict[str, str]:
    """The harness's variables for this scenario: without NO_TRAFFIC's where the scenario
    leaves non-essential traffic on. The auto-updater stays off even then: the facts
    (tests/facts/startup_connections.md) were watched without it, and a download is no part of
    a scenario."""
    if not scenario.nonessential_traffic:
        return dict(mode.env)
    kept = {name: value for name, value in mode.env.items() if name not in NO_TRAFFIC}
    return {**kept, "DISABLE_AUTOUPDATER": "1"}


Key = tuple[str, str]
"""(client version, scenario name): one cell of the matrix."""


def observe_all(
    scenarios: Sequence[Scenario],
    lab: Lab,
    clients: Sequence[ClientUnderTest],
    workdir: Path,
    jobs: int,
    mode: Mode = FAST,
    trace: bool = False,
    python: str = sys.executable,
) -> dict[Key, Observation | BaseException]:
    """Every scenario on every client, `jobs` at a time; an exception (a peer that could not
    start) is kept as the cell's result so the others still run."""
    cells = [(client, scenario) for client in clients for scenario in scenarios]

    def one(cell: tuple[ClientUnderTest, Scenario]) -> Observation | BaseException:
        client, scenario = cell
        try:
            where = workdir / client.version / scenario.name
            return observe(scenario, lab, client, where, mode, trace, python)
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, cells))
    return {
        (client.version, scenario.name): result
        for (client, scenario), result in zip(cells, results, strict=True)
    }


_ROUTE_OF_GATEWAY = {"bedrock": Provider.BEDROCK, "vertex": Provider.VERTEX}


def main_model(scenario: Scenario, version: str) -> str:
    """The {{main_model}} placeholder: the version's built-in main model on the scenario's
    route (ccdoctor's facts for it, which the facts tier proves against the client), without
    Bedrock's region prefix, so that a fault can name it for every version."""
    provider = _ROUTE_OF_GATEWAY.get(scenario.gateway.kind, Provider.ANTHROPIC)
    model = facts_for(parse_version(version)).defaults[provider].main
    return model.removeprefix("{prefix}.").removesuffix("[1m]")


def run_ccdoctor(
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    managed: Path,
    version: str,
    python: str = sys.executable,
) -> CcdoctorRun:
    """`python` is the interpreter to run it with: the bench passes a venv holding only
    ccdoctor's runtime dependencies, as a user's install has."""
    command = [
        python,
        "-m",
        "ccdoctor",
        "--format",
        "json",
        "--claude-version",
        version,
        "--managed-settings",
        str(managed),
        *args,
    ]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=CCDOCTOR_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return CcdoctorRun(None, time.monotonic() - started, (), "(timed out)")
    seconds = time.monotonic() - started
    output = completed.stdout + completed.stderr
    checks, unreadable = read_report(completed.stdout)
    return CcdoctorRun(completed.returncode, seconds, checks, output, unreadable, completed.stderr)


def median_ratio(observations: Iterable[Observation]) -> float | None:
    """Median of ccdoctor's time to verdict over the client's time to failure, over the
    scenarios where the client failed."""
    ratios = [
        o.ccdoctor.seconds / o.client.seconds
        for o in observations
        if not o.client.ok and o.client.seconds > 0
    ]
    return statistics.median(ratios) if ratios else None


def read_report(stdout: str) -> tuple[tuple[CheckLine, ...], str | None]:
    """The checks of ccdoctor's JSON report, and why the report cannot be read (None when it
    can): the schema the product ships decides, so a half-written report is not a verdict."""
    try:
        report: Any = json.loads(stdout)
    except ValueError as error:
        return (), f"not JSON: {error}"
    try:
        validate_report(report)
    except ValidationError as error:
        return (), f"not a report: {error.message}"
    checks = tuple(
        CheckLine(c["id"], c["category"], c["status"], c["message"]) for c in report["checks"]
    )
    return checks, None


def _placeholder_values(
    scenario: Scenario,
    lab: Lab,
    endpoint: Endpoint,
    home: Path,
    project: Path,
    scratch: Path,
) -> dict[str, str]:
    return {
        "gateway": endpoint.url,
        "gateway_hostport": endpoint.hostport,
        "key": endpoint.key,
        "ca": str(lab.tls.ca_pem),
        "self_signed_cert": str(lab.tls.self_signed_pem),
        "home": str(home),
        "project": str(project),
        "tmp": str(scratch),
        "managed": str(scratch / "managed-settings.json"),
        "gcp_project": VERTEX_PROJECT,
        "dead": f"http://{LOOPBACK}:{closed_port()}",
        "oauth_token": DEFAULT_OAUTH_TOKEN,
        **({"aws_endpoint": endpoint.aws_endpoint} if endpoint.aws_endpoint else {}),
        **proxy_urls(scenario, lab),
    }


def _write_files(scenario: Scenario, values: Mapping[str, str]) -> None:
    for file in scenario.files:
        path = Path(fill(file.path, values))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.render(values), encoding="utf-8")
        if file.executable:
            path.chmod(0o755)


def _start_directory(scenario: Scenario, project: Path) -> Path:
    """Where both programs start; a real `git init`, since the client may ask git for the
    repository root rather than look for a .git directory itself."""
    if scenario.git:
        subprocess.run(["git", "init", "-q", str(project)], check=True, capture_output=True)
    start = project / scenario.start_dir if scenario.start_dir else project
    start.mkdir(parents=True, exist_ok=True)
    return start


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())
