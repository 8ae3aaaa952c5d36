"""Nothing checked is not a pass: a run that hits its deadline says so and exits 1."""

from __future__ import annotations

import json

from tests.machine import Machine
from tests.peers.blackhole import SilentListener
from tests.peers.fake_anthropic import DEFAULT_API_KEY


def test_a_gateway_that_never_answers_past_the_deadline_is_no_green_run(
    machine: Machine, silent_listener: SilentListener
) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{silent_listener.port}"
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    done = machine.cli("--timeout", "5", "--deadline", "1", "--format", "json")
    assert done.returncode == 1, done.stdout
    report = json.loads(done.stdout)
    cut = [c for c in report["checks"] if "run deadline of 1 s reached" in c["message"]]
    assert cut and all(c["status"] == "error" for c in cut)
    assert report["summary"]["not_run"] == len(cut)
    assert not [c for c in report["checks"] if c["status"] == "skip" and "deadline" in c["message"]]
    text = " ".join(machine.cli("--timeout", "5", "--deadline", "1").stdout.split())
    assert f"{len(cut)} checks did not run: run deadline of 1 s reached" in text
