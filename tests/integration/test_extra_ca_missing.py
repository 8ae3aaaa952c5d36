"""No false red: a NODE_EXTRA_CA_CERTS file that does not exist is a warning on an otherwise
healthy set-up, as the client (which skips it and goes on) would have it."""

from __future__ import annotations

import json

from tests.machine import Machine
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic


def test_a_missing_extra_ca_file_warns_and_the_run_exits_0(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    machine.env["NODE_EXTRA_CA_CERTS"] = "/etc/corp/root-ca.pem"
    done = machine.cli("--no-invoke", "--format", "json")
    assert done.returncode == 0, done.stdout
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    network = checks["network.env"]
    assert network["status"] == "warn"
    assert "unset NODE_EXTRA_CA_CERTS" in network["fix"]["commands"]
    assert machine.cli("--no-invoke", "--strict").returncode == 1  # still a warning to see
