"""Command line: parse options, resolve configuration, run checks, render. No logic of its own."""

# No `from __future__ import annotations` here: typer reads each option's annotation, and from a
# string that costs a compile() per option on every start (~3% of an offline run).
import contextlib
import enum
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ccdoctor import __version__
from ccdoctor.report.render import Format

if TYPE_CHECKING:
    from ccdoctor.clients.facts import ClientFacts, FactsChoice
    from ccdoctor.config import ResolvedConfig
    from ccdoctor.learn.choose import LearnOptions
    from ccdoctor.report.build import Report

EXIT_CODES_HELP = (
    "Exit codes: 0 no failure and no error; 1 at least one fail or error (or a warning under "
    "--strict); 2 usage error."
)

app = typer.Typer(
    # typer's --install-completion / --show-completion for bash, zsh, fish and PowerShell.
    add_completion=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Check that Claude Code can reach its model provider, and say how to fix it if not.",
    epilog=EXIT_CODES_HELP,
)

SettingsOption = Annotated[
    str | None,
    typer.Option(
        "--settings",
        help="Extra settings file or inline JSON, like `claude --settings`.",
        show_default=False,
    ),
]
ProjectDirOption = Annotated[
    Path | None,
    typer.Option(
        "--project-dir",
        help="Project whose .claude/ settings apply (default: current directory).",
        file_okay=False,
        exists=True,
        show_default=False,
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="Model as `claude --model` would get it.", show_default=False),
]
ClaudeVersionOption = Annotated[
    str | None,
    typer.Option(
        "--claude-version",
        help="Claude Code version to judge against (default: `claude --version`).",
        show_default=False,
    ),
]
AnonymizeOption = Annotated[
    bool,
    typer.Option(
        "--anonymize",
        help="Replace account IDs, ARN resources, project IDs, host and user names with "
        "placeholders, for reports shared outside the company.",
    ),
]
NoLearnOption = Annotated[
    bool,
    typer.Option(
        "--no-learn",
        help="Do not learn a Claude Code newer than every version ccdoctor has facts for (one "
        "run of it against a loopback recorder); judge it by the newest facts.",
    ),
]
ManagedOption = Annotated[
    list[Path] | None,
    typer.Option("--managed-settings", hidden=True, help="Replace the managed settings paths."),
]


def version_line() -> str:
    """ccdoctor's version and the newest Claude Code version whose behaviour its facts files
    record: a client newer than that is judged by older facts, so a bug report needs both."""
    from ccdoctor.clients.facts import observed_versions, version_text

    newest = version_text(observed_versions()[-1])
    return f"ccdoctor {__version__} (Claude Code facts observed up to {newest})"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


INSTALLER_PLACES = (Path(".local/bin/claude"), Path(".claude/local/claude"))
"""Where the native installer and the old local install put `claude`, under HOME: a user whose
shell profile adds them to PATH has a client that a plain `which claude` here would miss."""


def find_claude(environ: dict[str, str], home: Path) -> str | None:
    found = shutil.which("claude", path=environ.get("PATH"))
    if found is not None:
        return found
    for place in INSTALLER_PLACES:
        candidate = home / place
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


class ClaudeVersionProbe:
    """`claude --version`, started at once and read when configuration resolution needs it:
    the client takes ~0.1 s to answer, which then overlaps ccdoctor's own start-up."""

    def __init__(self) -> None:
        from ccdoctor.host.commands import BoundedProcess

        self.binary = find_claude(dict(os.environ), Path.home())
        self.problem: str | None = None
        """Why the probe gave no answer when the binary did not behave (hung, could not start)."""
        self._process = None if self.binary is None else BoundedProcess([self.binary, "--version"])
        self._answer: tuple[str | None] | None = None

    def result(self, timeout: float = 3.0) -> str | None:
        """The version it printed; asked again, the same answer (the process is read once)."""
        if self._answer is None:
            self._answer = (self._read(timeout),)
        return self._answer[0]

    def _read(self, timeout: float) -> str | None:
        if self._process is None:
            return None
        from ccdoctor.clients.facts import parse_version

        run = self._process.finish(timeout)
        version = parse_version(run.stdout)
        if version:  # printed, even if a child it left behind held the pipe until the timeout
            return ".".join(map(str, version))
        if run.timed_out:
            self.problem = f"{self.binary} --version did not answer within {timeout:g} s"
        elif run.start_error is not None:
            self.problem = f"{self.binary} could not be started: {run.start_error}"
        return None

    def origin(self) -> str:
        """Where the version came from, for the report."""
        if self.binary is None:
            return "no claude on PATH, ~/.local/bin or ~/.claude/local"
        return f"{self.binary} --version"


def _resolve(
    settings: str | None,
    project_dir: Path | None,
    model: str | None,
    claude_version: str | None,
    managed: list[Path] | None,
    probe: ClaudeVersionProbe | None,
    probe_timeout: float = 3.0,
    learning: "LearnOptions | None" = None,
) -> "ResolvedConfig":
    """`learning` None: learning with the defaults. A client newer than every shipped file is
    learned in two steps: the Anthropic route's request first, then, when the set-up uses a
    cloud route or the gateway sign-in, that route's models (each step cached apart)."""
    from dataclasses import replace

    from ccdoctor.clients.facts import FactsOrigin
    from ccdoctor.config import Inputs, resolve
    from ccdoctor.config.settings_files import managed_settings_paths

    found = claude_version or (probe.result(probe_timeout) if probe else None)
    choose = _chooser(found, probe, probe_timeout, learning)
    choice = choose(("anthropic",))
    inputs = Inputs(
        environ=dict(os.environ),
        home=Path.home(),
        project_dir=(project_dir or Path.cwd()).resolve(),
        settings_arg=settings,
        model_arg=model,
        managed_paths=tuple(managed) if managed is not None else managed_settings_paths(),
        claude_version=found,
        claude_version_origin="--claude-version"
        if claude_version
        else (probe.origin() if probe else None),
        claude_version_problem=probe.problem if probe and not claude_version else None,
        facts_choice=choice,
    )
    config = resolve(inputs)
    learned = (FactsOrigin.LEARNED, FactsOrigin.CACHED)
    groups = _route_groups(config)
    if not groups or choice.origin not in learned:
        return config
    # One group at a time, the first first (what changes verdicts most): each is cached on its
    # own, so one the budget cannot fit costs that one only.
    done: list[str] = []
    for group in groups:
        routed = choose(("anthropic", *done, group))
        if routed.origin in learned:
            done.append(group)
            choice = routed
            continue
        why = routed.detail.removeprefix("learning failed: ").removeprefix("not learned: ")
        choice = replace(choice, detail=f"{choice.detail}; {group} not learned: {why}")
    return resolve(replace(inputs, facts_choice=choice))


def _route_groups(config: "ResolvedConfig") -> tuple[str, ...]:
    """What to learn beyond the Anthropic route's request for this set-up: the gateway sign-in
    (its flag set, whatever the facts know of it); a cloud route's models (and fallback); on
    the Anthropic route, the OAuth betas with a claude.ai token, and what a strict gateway's
    400 makes the client drop (and which switches remove a field) when ANTHROPIC_BASE_URL
    points elsewhere: those two are used once `ccdoctor learn` cached them, never learned by a
    normal run (ON_DEMAND_GROUPS)."""
    from ccdoctor.config.truthy import is_truthy
    from ccdoctor.core.provider import Provider
    from ccdoctor.knowledge.routes import GATEWAY_FLAG

    if is_truthy(config.get(GATEWAY_FLAG)):
        return ("gateway",)
    provider = config.provider.provider
    if provider is not Provider.ANTHROPIC:
        return (provider.value,)
    oauth = ("oauth",) if config.get("CLAUDE_CODE_OAUTH_TOKEN") else ()
    gateway = ("retries", "switches") if config.get("ANTHROPIC_BASE_URL") else ()
    return (*oauth, *gateway)


def _chooser(
    found: str | None,
    probe: ClaudeVersionProbe | None,
    probe_timeout: float,
    learning: "LearnOptions | None",
) -> Callable[[tuple[str, ...]], "FactsChoice"]:
    """The facts to judge `found` by, for the groups learned. A client newer than every shipped
    file is learned from the binary on PATH, which must say it is that version: with
    --claude-version there was no probe yet, so one is made (only then, so that a covered
    version costs nothing)."""
    from dataclasses import replace

    from ccdoctor.clients.facts import parse_version
    from ccdoctor.config.settings_files import managed_settings_paths
    from ccdoctor.learn.choose import ON_DEMAND_GROUPS, LearnOptions, choose_facts, needs_learning

    options = learning or LearnOptions()
    version = parse_version(found)
    if probe is None and options.enabled and (options.force or needs_learning(version)):
        probe = ClaudeVersionProbe()
    binary = Path(probe.binary) if probe is not None and probe.binary else None
    says = parse_version(probe.result(probe_timeout)) if probe is not None else None
    environ, home, managed = dict(os.environ), Path.home(), managed_settings_paths()

    # The first step (the Anthropic route's request, two clients) gets the step timeout; the
    # others (a route's or a gateway's groups: up to thirteen clients, a few at a time) what
    # the budget has left. A step that fails is not cached, so one cut short would be paid again
    # by every run.
    budget_ends = time.monotonic() + (options.budget or float("inf"))

    def choose(groups: tuple[str, ...]) -> "FactsChoice":
        wide = len(groups) > 1 and options.budget is not None
        step = float("inf") if wide else options.timeout
        left = min(step, max(0.5, budget_ends - time.monotonic()))
        limited = replace(options, timeout=left)
        on_demand = () if options.force else ON_DEMAND_GROUPS
        return choose_facts(
            version, binary, says, limited, environ, home, None, managed, groups, on_demand
        )

    return choose


def _is_tty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _colour(stream: object) -> bool:
    """NO_COLOR (any value) turns colour off, FORCE_COLOR or CLICOLOR_FORCE (but 0) turns it on
    even in a pipe or file; otherwise colour goes to a terminal that is not TERM=dumb."""
    if os.environ.get("NO_COLOR"):
        return False
    forced = ("FORCE_COLOR", "CLICOLOR_FORCE")
    if any(os.environ.get(name, "0") not in ("", "0") for name in forced):
        return True
    return _is_tty(stream) and not _dumb()


def _dumb() -> bool:
    return os.environ.get("TERM", "") == "dumb"


def _width(stream: object) -> int:
    """The columns to fit: COLUMNS when set, else the terminal's, else 80 (files, pipes)."""
    from ccdoctor.report.render.text import DEFAULT_WIDTH

    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    fileno = getattr(stream, "fileno", None)
    if fileno is not None and _is_tty(stream):
        with contextlib.suppress(OSError, ValueError):
            return os.get_terminal_size(fileno()).columns or DEFAULT_WIDTH
    return DEFAULT_WIDTH


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Report format.", case_sensitive=False)
    ] = Format.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report in --format to this file; the terminal still gets the table.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    json_report: Annotated[
        Path | None,
        typer.Option(
            "--json-report",
            help="Also write the JSON report to this file, whatever --format prints (a CI job "
            "keeps it as an artifact beside its annotations).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Skip every check that uses the network.")
    ] = False,
    no_invoke: Annotated[
        bool,
        typer.Option("--no-invoke", help="Only free calls: no billed one-token model requests."),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, max=600, help="Seconds per network step.")
    ] = 5.0,
    deadline: Annotated[
        float | None,
        typer.Option(
            "--deadline",
            min=0.1,
            max=3600,
            help="Seconds for the whole run (default: 4 × --timeout).",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only these check ids, categories or globs (repeat, or separate by commas).",
        ),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip",
            help="Do not run these check ids, categories or globs (repeat, or separate by commas).",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings also fail the run.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show details (and tracebacks).")
    ] = False,
    settings: SettingsOption = None,
    project_dir: ProjectDirOption = None,
    model: ModelOption = None,
    claude_version: ClaudeVersionOption = None,
    managed_settings: ManagedOption = None,
    anonymize: AnonymizeOption = False,
    no_learn: NoLearnOption = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = None,
) -> None:
    """Run the checks (the default command)."""
    if ctx.invoked_subcommand is not None:
        return
    from ccdoctor.config.redaction import redactor_for
    from ccdoctor.context import CheckContext, RunOptions
    from ccdoctor.engine.progress import ProgressLine
    from ccdoctor.engine.registry import UnknownSelector, load_catalogue, select
    from ccdoctor.engine.runner import run_checks
    from ccdoctor.report.build import build_report
    from ccdoctor.report.render import renderer

    started = time.monotonic()
    # Every argument is judged before the first probe: a bad one must not cost billed requests.
    _check_writable(output, "--output")
    _check_writable(json_report, "--json-report")
    _check_settings_argument(settings, project_dir)
    catalogue = load_catalogue()
    try:
        checks = select(catalogue.checks, only or [], skip or [])
    except UnknownSelector as exc:
        raise typer.BadParameter(str(exc)) from None
    probe = None if claude_version else ClaudeVersionProbe()
    # The probe gets the run's --timeout: a hung `claude` must not cost more than a network step.
    # Learning a new client is a step of the run (two, on a cloud route): each gets the step
    # timeout, and together at most half the deadline, so the checks keep the rest.
    run_deadline = deadline if deadline is not None else timeout * 4
    from ccdoctor.learn.choose import LearnOptions

    learning = LearnOptions(enabled=not no_learn, timeout=timeout, budget=run_deadline / 2)
    config = _resolve(
        settings,
        project_dir,
        model,
        claude_version,
        managed_settings,
        probe,
        min(timeout, 3.0),
        learning,
    )
    redactor = redactor_for(config)
    options = RunOptions(
        timeout=timeout,
        deadline=run_deadline,
        offline=offline,
        no_invoke=no_invoke,
    )
    check_ctx = CheckContext(config, options, redactor, started)
    table_on_terminal = fmt is Format.TEXT or output is not None
    # A dumb terminal cannot erase a line: no progress line there.
    live = table_on_terminal and _is_tty(sys.stderr) and not _dumb()
    progress = ProgressLine(sys.stderr, offline) if live else None
    with progress or contextlib.nullcontext():
        results = run_checks(checks, check_ctx, catalogue.failures, progress, verbose)
    report = build_report(
        config,
        results,
        (time.monotonic() - started) * 1000,
        redactor,
        strict=strict,
        deadline_s=options.deadline,
    )

    anonymizer = None
    if anonymize:
        # Only a report that leaves the company is anonymized: the others never load it.
        from ccdoctor.report.anonymize import Anonymizer

        anonymizer = Anonymizer(config).apply
    finish = _finisher(redactor.scrub, anonymizer)
    render = renderer(fmt)
    colour = _colour(sys.stdout)
    if table_on_terminal:
        from ccdoctor.report.render.text import render_text

        if output is not None:
            _write(output, finish(render(report, verbose, False)))
        shown = render_text(report, verbose, colour, _width(sys.stdout), str(Path.home()))
    else:
        shown = render(report, verbose, colour)
    # click strips colour codes off a terminal unless told otherwise: FORCE_COLOR tells it.
    typer.echo(finish(shown), nl=False, color=colour or None)
    if json_report is not None:
        from ccdoctor.report.render.json_report import render_json

        _write(json_report, finish(render_json(report)), "--json-report")
    if fmt is Format.GITHUB:
        _append_step_summary(report, finish)
    raise typer.Exit(report.exit_code)


def _finisher(
    scrub: Callable[[str], str], anonymize: Callable[[str], str] | None
) -> Callable[[str], str]:
    """The last pass over every text ccdoctor prints or writes."""
    if anonymize is None:
        return scrub
    return lambda text: anonymize(scrub(text))


def _check_writable(path: Path | None, option: str) -> None:
    from ccdoctor.host.writable import unwritable_reason

    why = unwritable_reason(path) if path is not None else None
    if why is not None:
        raise typer.BadParameter(f"{path} {why}", param_hint=option)


def _check_settings_argument(settings: str | None, project_dir: Path | None) -> None:
    """A --settings path that names no file is a typo on the command line, not a finding about
    the set-up; inline JSON and a file that does not parse are judged by config.settings."""
    if settings is None or settings.lstrip().startswith("{"):
        return
    path = Path(settings).expanduser()
    if not path.is_absolute():
        path = (project_dir or Path.cwd()) / path
    if not path.is_file():
        raise typer.BadParameter(
            f"{settings} is neither a settings file nor inline JSON (no file at {path})",
            param_hint="--settings",
        )


def _write(path: Path, text: str, option: str = "--output") -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint=option
        ) from None


def _append_step_summary(report: "Report", scrub: Callable[[str], str]) -> None:
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary_path:
        return
    from ccdoctor.report.render.markdown import render_markdown

    text = scrub(render_markdown(report))
    try:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        typer.echo(f"ccdoctor: cannot append to GITHUB_STEP_SUMMARY: {exc}", err=True)


class ListFormat(enum.StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


class ConfigFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("config")
def show_config(
    fmt: Annotated[
        ConfigFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = ConfigFormat.TEXT,
    settings: SettingsOption = None,
    project_dir: ProjectDirOption = None,
    model: ModelOption = None,
    claude_version: ClaudeVersionOption = None,
    managed_settings: ManagedOption = None,
    anonymize: AnonymizeOption = False,
    no_learn: NoLearnOption = False,
) -> None:
    """Show the effective configuration, where each value came from and what it shadowed."""
    import json

    from ccdoctor.config.redaction import redactor_for
    from ccdoctor.report.build import config_entries
    from ccdoctor.report.render.json_report import config_entry_to_dict, plain_json
    from ccdoctor.report.render.text import render_config_table

    _check_settings_argument(settings, project_dir)
    probe = None if claude_version else ClaudeVersionProbe()
    from ccdoctor.learn.choose import LearnOptions

    learning = LearnOptions(enabled=not no_learn)
    config = _resolve(
        settings, project_dir, model, claude_version, managed_settings, probe, 3.0, learning
    )
    redactor = redactor_for(config)
    entries = config_entries(config, redactor)
    if fmt is ConfigFormat.JSON:
        data = {
            "provider": config.provider.route_id,
            "settings_files": [
                {
                    "source": layer.source.value,
                    "path": layer.path,
                    "exists": layer.exists,
                    "loaded": layer.data is not None,
                    "error": layer.error.message if layer.error else None,
                }
                for layer in config.layers.files
            ],
            "config": [config_entry_to_dict(e) for e in entries],
        }
        text = json.dumps(plain_json(redactor.scrub_data(data)), indent=2, ensure_ascii=False)
        text += "\n"
    else:
        text = render_config_table(entries, _width(sys.stdout))
    text = redactor.scrub(text)
    if anonymize:
        from ccdoctor.report.anonymize import Anonymizer

        text = Anonymizer(config).apply(text)
    typer.echo(text, nl=False)


@app.command("learn")
def learn_client(
    claude_version: ClaudeVersionOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, max=600, help="Seconds the client may take.")
    ] = 30.0,
) -> None:
    """Learn what the installed Claude Code sends (runs against loopback recorders, with a
    throw-away HOME and dummy credentials: the Anthropic route's request, then what a strict
    gateway's 400 makes it drop, what each switch removes, its OAuth betas, every cloud
    route's main model (and Foundry's, Mantle's and Claude Platform's aliases),
    Bedrock's and Vertex's fallback, and the gateway sign-in) and cache it, even for a version
    ccdoctor has facts for; a normal run does this by itself for a client newer than every
    known version. Exit 1 when the Anthropic route's request could not be learned."""
    from concurrent.futures import ThreadPoolExecutor

    from ccdoctor.clients.facts import FactsOrigin
    from ccdoctor.core.provider import Provider
    from ccdoctor.learn.choose import ALL_GROUPS, LearnOptions

    probe = ClaudeVersionProbe()
    found = claude_version or probe.result()
    if found is None:
        typer.echo(f"ccdoctor learn: no Claude Code to learn from ({probe.origin()})", err=True)
        raise typer.Exit(1)
    choose = _chooser(found, probe, 3.0, LearnOptions(force=True, timeout=timeout))
    choice = choose(("anthropic",))
    if choice.origin is not FactsOrigin.LEARNED:
        typer.echo(f"ccdoctor learn: Claude Code {found}: {choice.detail}", err=True)
        raise typer.Exit(1)
    facts = choice.facts
    shape = facts.anthropic_shape
    typer.echo(f"Learned from Claude Code {facts.version_text} ({probe.binary}) {choice.detail}")
    typer.echo(f"  main model (Anthropic route): {facts.defaults[Provider.ANTHROPIC].main}")
    typer.echo(f"  anthropic-beta: {', '.join(facts.anthropic_betas)}")
    if shape is not None:
        typer.echo(f"  request: POST {shape.path}, body {', '.join(shape.body)}")
    # Each group on its own (a route the client cannot be run on costs that group only), two
    # at a time: the learner's slots stay full, and no group waits behind all the others' runs
    # (its time limit counts from its start).
    with ThreadPoolExecutor(max_workers=2) as pool:
        chosen = list(pool.map(lambda group: (group, choose((group,))), ALL_GROUPS[1:]))
    for group, routed in chosen:
        if routed.origin is not FactsOrigin.LEARNED:
            typer.echo(f"  {group}: not learned ({routed.detail})")
            continue
        typer.echo(f"  {_learned_line(group, routed.facts)}")


def _learned_line(group: str, learned: "ClientFacts") -> str:
    """What `ccdoctor learn` prints of one group."""
    from ccdoctor.core.provider import Provider

    if group == "gateway":
        sign_in = learned.gateway
        return f"gateway sign-in: {sign_in.main if sign_in else 'none'}"
    if group == "retries":
        betas, fields = learned.drops_rejected_betas, learned.drops_rejected_fields
        return (
            f"a strict gateway's 400: sent again without {len(betas)} beta(s), "
            f"field(s): {', '.join(sorted(fields)) or 'none'}"
        )
    if group == "switches":
        switches = learned.shape_switches
        changing = len(switches.removes) + len(switches.removes_betas)
        return f"switches: {changing} change the request or its betas"
    if group == "oauth":
        oauth = ", ".join(learned.anthropic_betas_oauth)
        return f"anthropic-beta with CLAUDE_CODE_OAUTH_TOKEN: {oauth}"
    route = Provider(group)
    chain = learned.fallback_chain(route)
    main = learned.defaults[route].main
    return f"{group}: main {main}; fallback {len(chain)} model(s)"


@app.command("list")
def list_checks(
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = ListFormat.TEXT,
) -> None:
    """List every check with its cost, providers and title."""
    from ccdoctor.engine.registry import load_catalogue
    from ccdoctor.report.render.catalogue import catalogue_json, render_catalogue

    catalogue = load_catalogue()
    if fmt is ListFormat.JSON:
        typer.echo(catalogue_json(catalogue.checks), nl=False)
    else:
        markdown = fmt is ListFormat.MARKDOWN
        typer.echo(render_catalogue(catalogue.checks, markdown, _width(sys.stdout)), nl=False)
    for failure in catalogue.failures:
        typer.echo(f"plugin {failure.name}: could not be loaded: {failure.error}", err=True)


@app.command("explain")
def explain(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A check id or a category from `ccdoctor list` (any case); none lists them.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Explain what a check looks at, why it matters, and its typical fixes."""
    from ccdoctor.core.suggest import did_you_mean
    from ccdoctor.engine.registry import load_catalogue
    from ccdoctor.report.render.catalogue import render_catalogue
    from ccdoctor.report.render.explain import render_category, render_explain

    checks = load_catalogue().checks
    width = _width(sys.stdout)
    if name is None or not name.strip():
        typer.echo(render_catalogue(checks, width=width), nl=False)
        typer.echo("\nccdoctor explain ID (or a category) says more about one.")
        return
    wanted = name.strip().lower()
    found = next((c for c in checks if c.spec.id.lower() == wanted), None)
    if found is not None:
        typer.echo(render_explain(found, width), nl=False)
        return
    in_category = [c for c in checks if c.spec.category.value == wanted]
    if in_category:
        typer.echo(render_category(wanted, in_category, width), nl=False)
        return
    known = [c.spec.id for c in checks] + [c.spec.category.value for c in checks]
    raise typer.BadParameter(
        f"no check or category {name!r}{did_you_mean(name, known)}; see `ccdoctor list`",
        param_hint="NAME",
    )


def main() -> None:
    # Library deprecation chatter (e.g. about odd certificates in a system CA bundle) is noise on
    # a user's terminal and would corrupt nothing but attention; findings go in the report.
    warnings.filterwarnings("ignore")
    app(prog_name="ccdoctor")
