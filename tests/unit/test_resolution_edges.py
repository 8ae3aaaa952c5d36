"""Edges of the effective environment and settings: every value keeps its own name, names an
environment cannot hold never reach it, and the `env` block is not a setting.
(Written against the mutants `make mutation` left alive in ccdoctor/config/resolve.py.)"""

from __future__ import annotations

from ccdoctor.config.resolve import Origin
from ccdoctor.config.settings_files import Source
from tests.machine import Machine


def test_each_value_and_what_it_shadowed_keep_their_name(machine: Machine) -> None:
    machine.env["ANTHROPIC_MODEL"] = "from-shell"
    machine.user_settings({"model": "user-model", "env": {"ANTHROPIC_MODEL": "from-user"}})
    machine.project_settings({"model": "project-model"})

    config = machine.resolve()

    env = config.env["ANTHROPIC_MODEL"]
    assert (env.name, env.origin.source) == ("ANTHROPIC_MODEL", Source.USER)
    assert [(v.name, v.origin.source) for v in env.shadowed] == [("ANTHROPIC_MODEL", Source.SHELL)]
    assert config.env["HOME"].name == "HOME"
    setting = config.settings["model"]
    assert (setting.name, setting.raw) == ("model", "project-model")
    assert [v.name for v in setting.shadowed] == ["model"]


def test_names_an_environment_cannot_hold_never_reach_it(machine: Machine) -> None:
    machine.user_settings({"env": {"A=B": "1", "NUL\x00": "1", "": "1", "KEPT": "1"}})

    names = set(machine.resolve().env)

    assert "KEPT" in names
    assert not {"A=B", "NUL\x00", ""} & names


def test_the_env_block_is_not_a_setting(machine: Machine) -> None:
    machine.user_settings({"env": {"KEPT": "1"}, "model": "m"})

    assert set(machine.resolve().settings) == {"model"}


def test_each_origin_reads_as_where_the_value_came_from() -> None:
    assert Origin(Source.DEFAULT).describe() == "built-in default"
    assert Origin(Source.SHELL).describe() == "shell environment"
    assert Origin(Source.FLAG).describe() == "command-line flag"
    assert Origin(Source.FLAG, "--model").describe() == "--model"
    assert Origin(Source.LOCAL, "/p/x.json").describe() == "local settings (/p/x.json)"
