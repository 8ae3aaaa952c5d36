"""proxy.reachable against real loopback peers: a healthy fake, a refused port, a blackhole, a name
that cannot resolve and a trickling server. Each failure is one failing check, within the run's
deadline, and its fix turns the run green."""

from __future__ import annotations

import json
import socket
import time

from tests.integration.verdicts import DEADLINE, TIMEOUT, apply_exports, verdict
from tests.machine import Machine
from tests.peers.blackhole import BannerServer, SilentListener, TricklingServer
from tests.peers.fake_anthropic import DEFAULT_API_KEY, FakeAnthropic
from tests.peers.required import peer_missing
from tests.schema import validate_report

INVALID_HOST = "gateway.ccdoctor.invalid"
STALL = 1.0
"""Seconds per network step where a test waits for something that never comes."""


def gateway(machine: Machine, url: str) -> Machine:
    machine.env["ANTHROPIC_BASE_URL"] = url
    machine.env["ANTHROPIC_API_KEY"] = DEFAULT_API_KEY
    return machine


def test_healthy_gateway_is_green_and_its_warm_up_404_is_no_failure(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    result = verdict(gateway(machine, fake_anthropic.url))

    result.assert_green()
    assert not result.warnings, result.summary()
    reachable = result["proxy.reachable"]
    assert reachable.message.startswith("127.0.0.1 answers directly (dns")
    # The warm-up HEAD / is answered 404 by the API, and the client ignores that; so do we.
    assert [r.route for r in fake_anthropic.requests if r.method == "HEAD"] == ["/"]
    assert reachable.details["http_status_line"] == "HTTP/1.1 404 Not Found"


def test_refused_port_names_the_port_and_the_fixed_port_is_green(
    machine: Machine, fake_anthropic: FakeAnthropic, dead_port: int
) -> None:
    gateway(machine, f"http://127.0.0.1:{dead_port}")

    failure = verdict(machine).only_failure()

    assert failure.id == "proxy.reachable"
    assert failure.message == (
        f"connect stage: connection to 127.0.0.1:{dead_port} refused: nothing listens there"
    )
    assert failure.fix is not None
    assert "correct the port in ANTHROPIC_BASE_URL" in failure.fix.text
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    verdict(machine).assert_green()


def test_blackholed_gateway_fails_at_the_http_stage_within_the_deadline(
    machine: Machine, silent_listener: SilentListener, fake_anthropic: FakeAnthropic
) -> None:
    result = verdict(gateway(machine, silent_listener.url), timeout=STALL)

    failure = result.only_failure()
    assert failure.id == "proxy.reachable"
    assert failure.message == (
        f"http stage: 127.0.0.1:{silent_listener.port} accepted the connection but sent no "
        f"complete answer in time (nothing in {STALL:g} s)"
    )
    assert result.seconds < STALL + 1, result.summary()
    assert silent_listener.accepted >= 1
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    verdict(machine).assert_green()


def test_blackholed_gateway_through_the_command_ends_within_its_deadline(
    machine: Machine, silent_listener: SilentListener
) -> None:
    gateway(machine, silent_listener.url)
    start = time.monotonic()
    done = machine.cli(
        "--only", "proxy", "--format", "json", "--timeout", str(TIMEOUT),
        "--deadline", str(DEADLINE),
    )  # fmt: skip
    seconds = time.monotonic() - start

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    validate_report(report)
    failing = [c["id"] for c in report["checks"] if c["status"] == "fail"]
    assert failing == ["proxy.reachable"]
    assert seconds < DEADLINE + 1


REQUIRE_DNS = "CCDOCTOR_REQUIRE_DNS"
"""Set to 1 (CI does) to make a resolver that cannot fail a .invalid name fast a test failure
instead of a skip."""


def _invalid_names_fail_fast() -> bool:
    """`.invalid` never resolves (RFC 6761), but a resolver may still forward it and wait."""
    start = time.monotonic()
    try:
        socket.getaddrinfo(INVALID_HOST, 443)
    except OSError:
        return time.monotonic() - start < 1.0
    return False


def test_a_name_that_does_not_resolve_fails_at_dns(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    if not _invalid_names_fail_fast():
        reason = f"this resolver does not fail {INVALID_HOST} within 1 s"
        peer_missing(reason, REQUIRE_DNS)
    gateway(machine, f"https://{INVALID_HOST}")

    result = verdict(machine)

    failure = result.only_failure()
    assert failure.id == "proxy.reachable"
    assert failure.message.startswith(f"dns stage: the name {INVALID_HOST} does not resolve")
    assert failure.fix is not None
    assert f"getent hosts {INVALID_HOST}" in failure.fix.commands
    assert result.seconds < TIMEOUT
    machine.env["ANTHROPIC_BASE_URL"] = fake_anthropic.url
    verdict(machine).assert_green()


def test_a_trickling_server_is_cut_off_by_the_stage_deadline(machine: Machine) -> None:
    with TricklingServer(interval=STALL / 4) as trickler:
        result = verdict(gateway(machine, trickler.url), timeout=STALL)

    failure = result.only_failure()
    assert failure.id == "proxy.reachable"
    # A byte every quarter step never trips a per-read timeout; the stage's wall-clock limit does.
    assert "accepted the connection but sent no complete answer in time (only" in failure.message
    assert result.seconds < STALL + 1, result.summary()


def test_a_fix_command_for_the_wrong_scheme_is_pasteable(
    machine: Machine, fake_anthropic: FakeAnthropic
) -> None:
    gateway(machine, fake_anthropic.url.replace("http://", "https://"))

    failure = verdict(machine).only_failure()

    assert failure.message == (
        f"tls stage: 127.0.0.1:{fake_anthropic.port} does not speak TLS, but ANTHROPIC_BASE_URL "
        "says https://"
    )
    assert apply_exports(machine, failure.fix) == {"ANTHROPIC_BASE_URL": fake_anthropic.url}
    verdict(machine).assert_green()


def test_tls_to_a_silent_port_stalls_at_the_handshake(
    machine: Machine, silent_listener: SilentListener
) -> None:
    secure = silent_listener.url.replace("http://", "https://")
    result = verdict(gateway(machine, secure), timeout=STALL)

    failure = result.only_failure()
    assert failure.message == "tls stage: the TLS handshake with 127.0.0.1 stalled"
    assert result.seconds < STALL + 1, result.summary()


def test_another_service_on_the_port_is_not_http(machine: Machine) -> None:
    with BannerServer() as banner:
        failure = verdict(gateway(machine, banner.url)).only_failure()

    assert failure.message == f"http stage: 127.0.0.1:{banner.port} answers, but not with HTTP"
    assert failure.fix is not None
    assert "Another service is listening on this port" in failure.fix.text


def test_a_server_that_hangs_up_is_not_mistaken_for_a_tls_port(machine: Machine) -> None:
    with BannerServer(banner=b"") as hang_up:
        failure = verdict(gateway(machine, hang_up.url)).only_failure()

    assert failure.message.startswith(
        f"http stage: 127.0.0.1:{hang_up.port} closed the connection without answering"
    )


def test_a_silent_proxy_is_named(
    machine: Machine, fake_anthropic: FakeAnthropic, silent_listener: SilentListener
) -> None:
    secure = fake_anthropic.url.replace("http://", "https://")
    gateway(machine, secure).env["HTTPS_PROXY"] = silent_listener.url

    result = verdict(machine, timeout=STALL)

    failure = result.only_failure()
    assert failure.message == (
        f"proxy stage: the proxy {silent_listener.url} (HTTPS_PROXY) does not answer"
    )
    assert result.seconds < STALL + 1, result.summary()
