"""`--anonymize` on a live run: the probes against a gateway on loopback add URLs, headers and
replies to the report, and still no identifier from the set-up survives."""

from __future__ import annotations

from pathlib import Path

from tests.peers.fake_anthropic import FakeAnthropic
from tests.unit.test_anonymize_property import FIXED, lay_out, outputs, survivors


def test_no_identifier_survives_a_live_run(tmp_path: Path, fake_anthropic: FakeAnthropic) -> None:
    env = lay_out(tmp_path, FIXED, "gateway")
    # Only loopback may be reached: no proxy host to resolve, the fake as the gateway.
    env.pop("HTTPS_PROXY")
    env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    texts = outputs(tmp_path, env, live=True)
    assert fake_anthropic.requests, "the run made no live request"
    assert not survivors(FIXED, texts), sorted(set(survivors(FIXED, texts)))
