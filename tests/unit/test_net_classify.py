"""The network layer's judgements, one table each: what an answer means (classify), what an
exception means (classify_exception), whether a stream is well formed (sse_shape), whether a host
bypasses the proxy (bypasses_proxy); and, through pytest-httpx, what Network.request and the live
checks' helpers make of answers no loopback peer gives easily."""

from __future__ import annotations

import json
import ssl
import threading
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from ccdoctor.config.redaction import redactor_for
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.net.client import BODY_CAP, HttpAnswer, HttpFailure, Network, classify_exception
from ccdoctor.net.probe import Cause
from ccdoctor.net.settings import NetworkSettings, ProxyChoice, bypasses_proxy
from ccdoctor.providers.anthropic import live
from ccdoctor.wire.messages import (
    Credential,
    Verdict,
    classify,
    request_headers,
    sse_shape,
    upstream_host,
)
from tests.machine import Machine

GATEWAY = "https://gateway.test"


def answer(status: int, body: Any = None, **headers: str) -> HttpAnswer:
    text = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return HttpAnswer(status, {k.replace("_", "-"): v for k, v in headers.items()}, text, 1.0)


def api_error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def litellm_error(kind: str, message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": "None", "code": code}}


SSE = (
    'event: message_start\ndata: {"type": "message_start", "message": {}}\n\n'
    'event: message_stop\ndata: {"type": "message_stop"}\n\n'
)


def request_error(message: str) -> dict[str, Any]:
    return api_error("invalid_request_error", message)


BETA_400 = "Unexpected value(s) `x-1` for the `anthropic-beta` header."
ECHOED_400 = 'Bad request (headers: {"anthropic-beta": "a"})'
EXTRA_400 = "context_management: Extra inputs are not permitted"
LITELLM_MODEL_400 = "anthropic_messages: Invalid model name passed in model=claude-x."
DOWN_500 = "Cannot connect to host 10.0.0.9:443 ssl:default [Connect call failed]"
AUTH = Verdict.AUTH_REJECTED


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (answer(200, {"type": "message", "content": []}), Verdict.OK),
        (answer(200, {"input_tokens": 9}), Verdict.OK),
        (answer(200, {"data": [], "has_more": False}), Verdict.OK),
        (answer(200, SSE, content_type="text/event-stream"), Verdict.OK),
        (answer(200, "<html>Sign in to the Wi-Fi</html>"), Verdict.MALFORMED),
        (answer(307, location="https://elsewhere.test/v1/messages"), Verdict.REDIRECT),
        (answer(401, api_error("authentication_error", "invalid x-api-key")), AUTH),
        (answer(403, api_error("permission_error", "no access")), AUTH),
        (answer(400, litellm_error("no_db_connection", "No connected db.", "400")), AUTH),
        (answer(400, litellm_error("auth_error", "Authentication Error", "401")), AUTH),
        (answer(400, request_error(BETA_400)), Verdict.BETA_REJECTED),
        (answer(400, {"message": "invalid beta flag"}), Verdict.BETA_REJECTED),
        # A server echoing the request's headers mentions anthropic-beta in any error.
        (answer(400, request_error(ECHOED_400)), Verdict.BAD_REQUEST),
        (answer(400, request_error(EXTRA_400)), Verdict.EXTRA_INPUTS),
        (answer(404, api_error("not_found_error", "model: claude-x")), Verdict.UNKNOWN_MODEL),
        (answer(400, request_error(LITELLM_MODEL_400)), Verdict.UNKNOWN_MODEL),
        (answer(404, api_error("not_found_error", "Not Found")), Verdict.WRONG_PATH),
        (answer(404, "<h1>404</h1>"), Verdict.WRONG_PATH),
        (answer(405, {"detail": "Method Not Allowed"}), Verdict.WRONG_PATH),
        (answer(429, api_error("rate_limit_error", "slow down")), Verdict.RATE_LIMITED),
        (answer(529, api_error("overloaded_error", "Overloaded")), Verdict.OVERLOADED),
        (answer(500, api_error("api_error", DOWN_500)), Verdict.UPSTREAM_DOWN),
        (answer(503, "no healthy upstream"), Verdict.UPSTREAM_DOWN),
        (answer(500, api_error("api_error", "Internal server error")), Verdict.SERVER_ERROR),
        (answer(400, request_error("max_tokens: too small")), Verdict.BAD_REQUEST),
    ],
)
def test_classify(reply: HttpAnswer, verdict: Verdict) -> None:
    assert classify(reply).verdict is verdict


def test_classify_recognises_litellm_by_its_headers_and_error_types() -> None:
    assert classify(answer(200, {"data": []}, x_litellm_version="1.108.7")).litellm
    assert classify(
        answer(400, litellm_error("no_db_connection", "No connected db.", "400"))
    ).litellm
    assert not classify(answer(401, api_error("authentication_error", "invalid x-api-key"))).litellm


def test_classify_keeps_the_server_text_on_one_capped_line() -> None:
    said = classify(answer(500, api_error("api_error", "first line\n\n  second " + "x" * 5000)))

    assert said.server_says.startswith("first line second xxx")
    assert len(said.server_says) == 400
    assert said.server_says.endswith("…")


def test_a_redirect_carries_its_location() -> None:
    said = classify(answer(302, location="https://login.corp.test/"))
    assert (said.verdict, said.server_says) == (Verdict.REDIRECT, "https://login.corp.test/")


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("Exception - Cannot connect to host 127.0.0.1:35841 ssl:<SSLContext>", "127.0.0.1:35841"),
        ("Cannot connect to host api.anthropic.com:443 ssl:default", "api.anthropic.com:443"),
        ("upstream connect error or disconnect/reset before headers", None),
    ],
)
def test_upstream_host(text: str, host: str | None) -> None:
    assert upstream_host(text) == host


def _verify_error(code: int) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] verify failed")
    error.verify_code = code
    return error


def _caused(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("exception", "cause"),
    [
        (_caused(httpx.ConnectError("tls"), _verify_error(9)), Cause.TLS_NOT_YET_VALID),
        (_caused(httpx.ConnectError("tls"), _verify_error(10)), Cause.TLS_EXPIRED),
        (_caused(httpx.ConnectError("tls"), _verify_error(18)), Cause.TLS_SELF_SIGNED),
        (_caused(httpx.ConnectError("tls"), _verify_error(19)), Cause.TLS_SELF_SIGNED_IN_CHAIN),
        (_caused(httpx.ConnectError("tls"), _verify_error(20)), Cause.TLS_UNKNOWN_ISSUER),
        (_caused(httpx.ConnectError("tls"), _verify_error(62)), Cause.TLS_HOSTNAME),
        (_caused(httpx.ConnectError("tls"), _verify_error(64)), Cause.TLS_HOSTNAME),
        (_caused(httpx.ConnectError("tls"), _verify_error(99)), Cause.TLS_OTHER),
        (
            _caused(httpx.ConnectError("tls"), ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] x")),
            Cause.TLS_TO_PLAIN_PORT,
        ),
        (_caused(httpx.ConnectError("tls"), ssl.SSLError(1, "[SSL] sslv3 alert")), Cause.TLS_OTHER),
        (httpx.ProxyError("407 Proxy Authentication Required"), Cause.PROXY_AUTH),
        (httpx.ProxyError("502 Bad Gateway"), Cause.PROXY_BAD_GATEWAY),
        (httpx.ProxyError("403 Forbidden"), Cause.PROXY_REJECTED),
        (httpx.ConnectTimeout("timed out"), Cause.CONNECT_TIMEOUT),
        (httpx.ConnectError("[Errno 111] Connection refused"), Cause.REFUSED),
        (httpx.ConnectError("[Errno -2] Name or service not known"), Cause.DNS_FAILED),
        (httpx.ConnectError("[Errno 113] No route to host"), Cause.UNREACHABLE),
        (httpx.ReadTimeout("timed out"), Cause.HTTP_TIMEOUT),
        (httpx.RemoteProtocolError("illegal status line"), Cause.HTTP_GARBAGE),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), Cause.HTTP_CLOSED),
    ],
)  # fmt: skip
def test_classify_exception(exception: Exception, cause: Cause) -> None:
    assert classify_exception(exception) is cause


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


NOT_JSON = "event message_start carries data that is not JSON"
NO_DATA = "event message_start has no data line"
NO_EVENTS = "no events in the stream"
BOTH = ("message_start", "message_stop")


@pytest.mark.parametrize(
    ("body", "events", "problems"),
    [
        (SSE, BOTH, ()),
        (SSE.replace("\n", "\r\n"), BOTH, ()),
        (": keep-alive\n\n" + SSE, BOTH, ()),
        ('data: {"type": "message_start"}\n\n', ("message_start",), ()),
        (
            _event("ping", '{"type": "ping"}') + SSE,
            ("ping", *BOTH),
            ("the stream starts with ping, not message_start",),
        ),
        (_event("message_start", "{not json"), (), (NOT_JSON, NO_EVENTS)),
        ("event: message_start\n\n", (), (NO_DATA, NO_EVENTS)),
        ("", (), (NO_EVENTS,)),
    ],
)
def test_sse_shape(body: str, events: tuple[str, ...], problems: tuple[str, ...]) -> None:
    shape = sse_shape(body)
    assert (shape.events, shape.problems) == (events, problems)


@pytest.mark.parametrize(
    ("host", "port", "entries", "bypassed"),
    [
        ("api.anthropic.com", 443, ("*",), True),
        ("gateway.corp.example", 443, ("gateway.corp.example",), True),
        ("GATEWAY.corp.example", 443, ("gateway.CORP.example",), True),
        ("gateway.corp.example", 443, ("corp.example",), True),
        ("gateway.corp.example", 443, (".corp.example",), True),
        ("gateway.corp.example", 443, ("*.corp.example",), True),
        ("corp.example", 443, (".corp.example",), True),
        ("notcorp.example", 443, ("corp.example",), False),
        ("gateway.corp.example", 443, ("gateway.corp.example:8443",), False),
        ("gateway.corp.example", 8443, ("gateway.corp.example:8443",), True),
        ("127.0.0.1", 4000, ("localhost",), False),  # no name resolution, as in Node
        ("10.1.2.3", 443, ("10.0.0.0/8",), False),  # no CIDR
        ("::1", 443, ("::1",), True),
        ("[::1]", 443, ("::1",), True),
        ("api.anthropic.com", 443, (), False),
    ],
)  # fmt: skip
def test_bypasses_proxy(host: str, port: int, entries: tuple[str, ...], bypassed: bool) -> None:
    assert bypasses_proxy(host, port, entries) is bypassed


def test_credentials_go_in_the_headers_the_client_uses(machine: Machine) -> None:
    machine.env["ANTHROPIC_CUSTOM_HEADERS"] = "X-Team: a\\nX-Env: b"
    sent = (
        Credential("ANTHROPIC_AUTH_TOKEN", ("Authorization: Bearer",), " token-1 "),
        Credential("ANTHROPIC_API_KEY", ("x-api-key",), "key-1"),
    )

    headers = request_headers(machine.resolve(), sent)

    assert headers["authorization"] == "Bearer token-1"
    assert headers["x-api-key"] == "key-1"
    assert (headers["x-team"], headers["x-env"]) == ("a", "b")
    assert headers["anthropic-beta"].startswith("claude-code-20250219,")
    assert headers["x-app"] == "cli"


# --- through httpx, with pytest-httpx playing the server ---------------------------------------


def network(**settings: Any) -> Network:
    return Network(NetworkSettings(**settings))


def test_a_body_is_read_only_up_to_the_cap(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{GATEWAY}/big", content=b"x" * (BODY_CAP * 4))

    got = network().request("GET", f"{GATEWAY}/big", 2.0)

    assert isinstance(got, HttpAnswer)
    assert (len(got.body), got.truncated) == (BODY_CAP, True)


def test_a_redirect_is_returned_not_followed(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{GATEWAY}/v1/models", status_code=307, headers={"location": "https://evil.test/"}
    )

    got = network().request("GET", f"{GATEWAY}/v1/models", 2.0, {"x-api-key": "k"})

    assert isinstance(got, HttpAnswer)
    assert (got.status, got.headers["location"]) == (307, "https://evil.test/")
    assert [str(r.url) for r in httpx_mock.get_requests()] == [f"{GATEWAY}/v1/models"]


def test_a_transport_error_becomes_a_classified_failure(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ProxyError("407 Proxy Authentication Required"))

    got = network().request("GET", f"{GATEWAY}/v1/models", 2.0)

    assert isinstance(got, HttpFailure)
    assert got.cause is Cause.PROXY_AUTH


def test_a_plain_http_proxy_asking_for_credentials_is_a_failure_not_an_answer(
    httpx_mock: HTTPXMock,
) -> None:
    proxy = ProxyChoice("http://proxy.corp.test:3128", "HTTP_PROXY")
    httpx_mock.add_response(proxy_url="http://proxy.corp.test:3128/", status_code=407)

    got = network(proxy=proxy).request("GET", "http://gateway.test/v1/models", 2.0)

    assert isinstance(got, HttpFailure)
    assert got.cause is Cause.PROXY_AUTH


def test_a_stalled_answer_is_abandoned_at_the_wall_clock_limit(httpx_mock: HTTPXMock) -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        import time

        time.sleep(1.0)
        return httpx.Response(200)

    httpx_mock.add_callback(stall)

    got = network().request("GET", f"{GATEWAY}/v1/models", 0.2)

    assert isinstance(got, HttpFailure)
    assert got.cause is Cause.HTTP_TIMEOUT
    assert got.elapsed_ms < 900


def _context(machine: Machine) -> CheckContext:
    config = machine.resolve()
    return CheckContext(config, RunOptions(timeout=2.0), redactor_for(config))


def test_server_text_is_scrubbed_before_it_is_cut(machine: Machine, httpx_mock: HTTPXMock) -> None:
    secret = "team-secret-" + "s" * 40
    machine.env.update(
        ANTHROPIC_BASE_URL=GATEWAY,
        ANTHROPIC_AUTH_TOKEN="gateway-token-0123456789",
        ANTHROPIC_CUSTOM_HEADERS=f"X-Team-Secret: {secret}",
    )
    # The secret straddles the point where the excerpt of the server's text is cut.
    message = "x" * 380 + " " + secret
    httpx_mock.add_response(status_code=400, json=api_error("invalid_request_error", message))

    said = live.get(_context(machine), "/v1/models").classified

    assert said is not None
    assert "team-secret-sss" not in said.server_says
    assert said.server_says.startswith("x" * 380 + " <header-value: 52")


def test_litellm_without_a_database_is_fixed_with_the_master_key(
    machine: Machine, httpx_mock: HTTPXMock
) -> None:
    machine.env.update(ANTHROPIC_BASE_URL=GATEWAY, ANTHROPIC_AUTH_TOKEN="sk-virtual-key-0000")
    httpx_mock.add_response(
        status_code=400, json=litellm_error("no_db_connection", "No connected db.", "400")
    )
    ctx = _context(machine)

    said = live.get(ctx, "/v1/models").classified
    assert said is not None
    fix = live.auth_fix(live.credentials(ctx), said, live.endpoint(ctx))  # type: ignore[arg-type]

    assert said.verdict is Verdict.AUTH_REJECTED
    assert "accepts only its master key" in fix.text
    assert fix.commands == ("export ANTHROPIC_AUTH_TOKEN=<the LiteLLM master key>",)


@pytest.mark.parametrize(
    ("location", "base"),
    [
        ("https://new.test/v1/messages?beta=true", "https://new.test"),
        ("https://new.test/anthropic/v1/messages/count_tokens?beta=true", "https://new.test/anthropic"),
        ("/anthropic/v1/models", "https://gateway.test/anthropic"),
        ("https://login.corp.test/sso", "https://login.corp.test/sso"),
        ("mailto:x@y", None),
        ("", None),
    ],
)  # fmt: skip
def test_redirected_base(machine: Machine, location: str, base: str | None) -> None:
    machine.env["ANTHROPIC_BASE_URL"] = GATEWAY
    endpoint = live.endpoint(_context(machine))
    assert endpoint is not None
    assert live.redirected_base(endpoint, location) == base


def test_a_request_whose_client_was_closed_under_it_fails_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The run closes its clients when it ends; a request still starting then (an abandoned
    # check's) met a closed client and printed a traceback from its thread.
    escaped: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))
    net = network()
    url = "http://127.0.0.1:9/v1/models"
    net._client(url).close()

    got = net.request("GET", url, 2.0)

    assert isinstance(got, HttpFailure)
    assert got.cause is Cause.HTTP_CLOSED
    assert "closed" in got.detail
    assert escaped == []
