"""Self-tests for tests/peers: each peer behaves as the real thing does (plain httpx only)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import ssl
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.peers.blackhole import TRICKLED_RESPONSE, SilentListener, TricklingServer
from tests.peers.fake_anthropic import (
    DEFAULT_API_KEY,
    DEFAULT_AUTH_TOKEN,
    DEFAULT_OAUTH_TOKEN,
    OAUTH_BETA,
    FakeAnthropic,
)
from tests.peers.forward_proxy import ForwardProxy, ProxyAccess
from tests.peers.litellm_proxy import UPSTREAM_API_KEY, LiteLLMProxy
from tests.peers.tls_servers import TLS_CASES, TLSLab

ANTHROPIC_VERSION = "2023-06-01"
API_HEADERS = {"x-api-key": DEFAULT_API_KEY, "anthropic-version": ANTHROPIC_VERSION}
STREAM_EVENTS = [
    "message_start",
    "content_block_start",
    "ping",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
]


def get(url: str, **options: Any) -> httpx.Response:
    """Like httpx.get, but blind to the developer's proxy and CA variables."""
    return httpx.get(url, trust_env=False, **options)


def post(url: str, **options: Any) -> httpx.Response:
    return httpx.post(url, trust_env=False, **options)


def stream(
    method: str, url: str, **options: Any
) -> contextlib.AbstractContextManager[httpx.Response]:
    return httpx.stream(method, url, trust_env=False, **options)


def message_body(model: str = "claude-opus-4-8", **extra: Any) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 32,
        "messages": [{"role": "user", "content": "say hi"}],
        **extra,
    }


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def verify_code(error: BaseException) -> int | None:
    """The OpenSSL verify code behind an httpx error, found the way ccdoctor must find it."""
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_code
        current = current.__cause__ or current.__context__
    return None


@pytest.fixture
def api(fake_anthropic: FakeAnthropic) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake_anthropic.url, headers=API_HEADERS, trust_env=False) as client:
        yield client


# --- FakeAnthropic -------------------------------------------------------------------------------


def test_fake_answers_a_message_and_records_the_request(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    response = api.post(
        "/v1/messages?beta=true",
        json=message_body(),
        headers={"anthropic-beta": "claude-code-20250219", "x-app": "cli"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["request-id"].startswith("req_")
    body = response.json()
    assert body["id"].startswith("msg_")
    assert {k: v for k, v in body.items() if k not in ("id", "usage")} == {
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
    }
    assert body["usage"]["output_tokens"] == 1
    assert body["usage"]["input_tokens"] > 0
    [recorded] = fake_anthropic.requests
    assert (recorded.method, recorded.path, recorded.route) == (
        "POST",
        "/v1/messages?beta=true",
        "/v1/messages",
    )
    assert recorded.header("X-API-Key") == DEFAULT_API_KEY
    assert recorded.header("anthropic-beta") == "claude-code-20250219"
    assert recorded.header("x-app") == "cli"
    assert recorded.body == message_body()


def test_fake_streams_the_documented_sse_events(api: httpx.Client) -> None:
    with api.stream("POST", "/v1/messages", json=message_body(stream=True)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.read().decode())

    assert [name for name, _ in events] == STREAM_EVENTS
    assert all(data["type"] == name for name, data in events)
    start = events[0][1]["message"]
    assert (start["role"], start["content"], start["stop_reason"]) == ("assistant", [], None)
    assert events[1][1]["content_block"] == {"type": "text", "text": ""}
    assert events[3][1]["delta"] == {"type": "text_delta", "text": "hi"}
    assert events[5][1]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert events[5][1]["usage"]["output_tokens"] == 1


def test_fake_keeps_the_connection_alive_across_requests(api: httpx.Client) -> None:
    """The client reuses connections; a fake that closed them would hide pooling bugs."""
    first = api.post("/v1/messages", json=message_body(stream=True))
    second = api.post("/v1/messages", json=message_body())

    assert (first.status_code, second.status_code) == (200, 200)
    assert [name for name, _ in sse_events(first.text)] == STREAM_EVENTS
    assert second.json()["content"][0]["text"] == "hi"


def test_fake_serves_only_under_its_prefix() -> None:
    with (
        FakeAnthropic(prefix="/anthropic/") as gateway,
        httpx.Client(headers=API_HEADERS, trust_env=False) as http,
    ):
        assert gateway.url.endswith("/anthropic")
        root = gateway.url.removesuffix("/anthropic")
        assert http.post(f"{gateway.url}/v1/messages", json=message_body()).status_code == 200
        missing = http.post(f"{root}/v1/messages", json=message_body())
        assert missing.status_code == 404
        assert missing.json()["error"]["type"] == "not_found_error"
        # The client's fire-and-forget warm-up; its status is ignored, it only must not break.
        for warm_up in (f"{root}/", f"{gateway.url}/"):
            head = http.head(warm_up)
            assert (head.status_code, head.content) == (404, b"")


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"x-api-key": "sk-ant-wrong"}, "invalid x-api-key"),
        ({"authorization": "Bearer wrong-token"}, "Invalid bearer token"),
        ({}, "x-api-key header is required"),
    ],
)
def test_fake_rejects_wrong_credentials_like_the_api(
    fake_anthropic: FakeAnthropic, headers: dict[str, str], message: str
) -> None:
    response = post(f"{fake_anthropic.url}/v1/messages", json=message_body(), headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "error"
    assert body["error"] == {"type": "authentication_error", "message": message}
    assert response.headers["request-id"] == body["request_id"]


def test_fake_takes_an_oauth_token_only_with_the_oauth_beta(fake_anthropic: FakeAnthropic) -> None:
    url = f"{fake_anthropic.url}/v1/messages"
    oauth = {
        "authorization": f"Bearer {DEFAULT_OAUTH_TOKEN}",
        "anthropic-version": ANTHROPIC_VERSION,
    }

    refused = post(url, json=message_body(), headers=oauth)
    taken = post(url, json=message_body(), headers=oauth | {"anthropic-beta": OAUTH_BETA})

    assert refused.status_code == 401
    assert refused.json()["error"] == {
        "type": "authentication_error",
        "message": "OAuth authentication is currently not supported.",
    }
    assert taken.status_code == 200


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("anthropic-version", "anthropic-version: header is required"),
        ("max_tokens", "max_tokens: Field required"),
    ],
)
def test_fake_requires_anthropic_version_and_max_tokens_like_the_api(
    fake_anthropic: FakeAnthropic, drop: str, message: str
) -> None:
    headers = {name: value for name, value in API_HEADERS.items() if name != drop}
    body = {key: value for key, value in message_body().items() if key != drop}

    response = post(f"{fake_anthropic.url}/v1/messages", json=body, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


def test_fake_accepts_a_bearer_token_and_configured_keys(fake_anthropic: FakeAnthropic) -> None:
    url = f"{fake_anthropic.url}/v1/messages"
    bearer = {
        "authorization": f"Bearer {DEFAULT_AUTH_TOKEN}",
        "anthropic-version": ANTHROPIC_VERSION,
    }
    assert post(url, json=message_body(), headers=bearer).status_code == 200

    fake_anthropic.configure(api_keys={"sk-ant-rotated"})

    assert post(url, json=message_body(), headers=API_HEADERS).status_code == 401
    rotated = {"x-api-key": "sk-ant-rotated", "anthropic-version": ANTHROPIC_VERSION}
    assert post(url, json=message_body(), headers=rotated).status_code == 200


def test_fake_behaviour_changes_only_through_configure(fake_anthropic: FakeAnthropic) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        fake_anthropic.behaviour.latency = 1.0  # type: ignore[misc]

    fake_anthropic.configure(forced_status=500)
    fake_anthropic.reset()

    assert fake_anthropic.behaviour.forced_status is None


def test_fake_answers_404_for_a_model_it_does_not_serve(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    fake_anthropic.configure(models={"claude-sonnet-4-5"})

    missing = api.post("/v1/messages", json=message_body("claude-opus-4-8"))
    served = api.post("/v1/messages", json=message_body("claude-sonnet-4-5"))

    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "type": "not_found_error",
        "message": "model: claude-opus-4-8",
    }
    assert served.status_code == 200
    assert [m["id"] for m in api.get("/v1/models").json()["data"]] == ["claude-sonnet-4-5"]
    assert api.get("/v1/models/claude-opus-4-8").status_code == 404
    assert api.get("/v1/models/claude-sonnet-4-5").json()["type"] == "model"


def test_fake_rejects_a_configured_beta_header(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    fake_anthropic.configure(rejected_betas={"context-1m-2025-08-07"})
    betas = {"anthropic-beta": "claude-code-20250219, context-1m-2025-08-07"}

    rejected = api.post("/v1/messages", json=message_body(), headers=betas)
    accepted = api.post(
        "/v1/messages", json=message_body(), headers={"anthropic-beta": "claude-code-20250219"}
    )

    assert rejected.status_code == 400
    error = rejected.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(
        "Unexpected value(s) `context-1m-2025-08-07` for the `anthropic-beta` header."
    )
    assert accepted.status_code == 200


def test_fake_rejects_beta_values_it_does_not_know_like_the_api(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    unknown = {"anthropic-beta": "claude-code-20250219,made-up-2099-01-01"}

    rejected = api.post("/v1/messages", json=message_body(), headers=unknown)
    fake_anthropic.configure(known_betas=None)
    ignored = api.post("/v1/messages", json=message_body(), headers=unknown)

    assert rejected.status_code == 400
    assert rejected.json()["error"]["message"].startswith(
        "Unexpected value(s) `made-up-2099-01-01` for the `anthropic-beta` header."
    )
    assert ignored.status_code == 200


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(429, "rate_limit_error"), (529, "overloaded_error"), (500, "api_error")],
)
def test_fake_forces_error_statuses_with_the_apis_error_types(
    fake_anthropic: FakeAnthropic, api: httpx.Client, status: int, error_type: str
) -> None:
    fake_anthropic.configure(forced_status=status)

    response = api.post("/v1/messages", json=message_body(stream=True))

    assert response.status_code == status
    assert response.json()["error"]["type"] == error_type
    assert "x-should-retry" not in response.headers
    assert ("retry-after" in response.headers) == (status == 429)


def test_fake_can_tell_the_client_not_to_retry(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    fake_anthropic.configure(forced_status=401, should_retry=False)

    response = api.post("/v1/messages", json=message_body())

    assert response.status_code == 401
    assert response.headers["x-should-retry"] == "false"


def test_fake_waits_the_configured_latency(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    fake_anthropic.configure(latency=0.3)

    started = time.monotonic()
    response = api.post("/v1/messages", json=message_body())

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_hostile_fake_echoes_request_headers_into_error_bodies(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    fake_anthropic.configure(echo_headers=True, models={"claude-sonnet-4-5"})

    response = api.post("/v1/messages", json=message_body("claude-opus-4-8"))

    assert response.status_code == 404
    assert DEFAULT_API_KEY in response.json()["error"]["message"]


def test_fake_counts_tokens_and_lists_models(api: httpx.Client) -> None:
    counted = api.post("/v1/messages/count_tokens?beta=true", json=message_body())
    models = api.get("/v1/models").json()

    assert counted.status_code == 200
    assert list(counted.json()) == ["input_tokens"]
    assert counted.json()["input_tokens"] > 0
    assert "claude-opus-4-8" in [m["id"] for m in models["data"]]
    assert models["has_more"] is False


def test_fake_reads_a_chunked_request_body(
    fake_anthropic: FakeAnthropic, api: httpx.Client
) -> None:
    payload = json.dumps(message_body()).encode()

    response = api.post("/v1/messages", content=iter([payload[:10], payload[10:]]))

    assert response.status_code == 200
    [recorded] = fake_anthropic.requests
    assert recorded.header("transfer-encoding") == "chunked"
    assert recorded.body == message_body()


def test_stopped_fake_refuses_connections_and_drops_kept_alive_ones() -> None:
    fake = FakeAnthropic()
    fake.start()
    with httpx.Client(base_url=fake.url, headers=API_HEADERS, trust_env=False) as client:
        assert client.post("/v1/messages", json=message_body()).status_code == 200

        fake.stop()

        with pytest.raises((httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)):
            client.post("/v1/messages", json=message_body())
    with pytest.raises(httpx.ConnectError):
        get(f"{fake.url}/v1/models")


# --- LiteLLM ------------------------------------------------------------------------------------


def gateway_headers(litellm: LiteLLMProxy, style: str = "bearer") -> dict[str, str]:
    """The gateway credential, plus the anthropic-version the client always sends (a
    pass-through route forwards it, and the API requires it)."""
    version = {"anthropic-version": ANTHROPIC_VERSION}
    if style == "bearer":
        return {"authorization": f"Bearer {litellm.master_key}", **version}
    return {"x-api-key": litellm.master_key, **version}


@pytest.mark.litellm
@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
def test_litellm_forwards_messages_to_the_fake_upstream(litellm: LiteLLMProxy, style: str) -> None:
    response = post(
        f"{litellm.url}/v1/messages?beta=true",
        json=message_body("claude-opus-4-8"),
        headers=gateway_headers(litellm, style),
        timeout=30,
    )

    assert response.status_code == 200
    assert response.json()["content"] == [{"type": "text", "text": "hi"}]
    assert response.headers["x-litellm-version"]
    [upstream] = litellm.upstream.requests
    assert upstream.route == "/v1/messages"
    assert upstream.header("x-api-key") == UPSTREAM_API_KEY
    assert upstream.body["model"] == "claude-opus-4-8"
    assert litellm.master_key not in json.dumps(dict(upstream.headers))


@pytest.mark.litellm
def test_litellm_streams_sse_from_the_upstream(litellm: LiteLLMProxy) -> None:
    with stream(
        "POST",
        f"{litellm.url}/v1/messages?beta=true",
        json=message_body("claude-sonnet-4-5", stream=True),
        headers=gateway_headers(litellm),
        timeout=30,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.read().decode())

    assert [name for name, _ in events] == STREAM_EVENTS
    assert litellm.upstream.requests_to("/v1/messages")[0].body["stream"] is True


@pytest.mark.litellm
def test_litellm_without_a_database_answers_a_wrong_key_with_400_no_db_connection(
    litellm: LiteLLMProxy,
) -> None:
    response = post(
        f"{litellm.url}/v1/messages",
        json=message_body(),
        headers={"authorization": "Bearer sk-not-the-master-key"},
        timeout=30,
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "no_db_connection"
    assert litellm.upstream.requests == []


@pytest.mark.litellm
def test_litellm_answers_an_unknown_model_with_400(litellm: LiteLLMProxy) -> None:
    response = post(
        f"{litellm.url}/v1/messages",
        json=message_body("claude-not-configured"),
        headers=gateway_headers(litellm),
        timeout=30,
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "Invalid model name passed in model=claude-not-configured" in error["message"]
    assert litellm.upstream.requests == []


@pytest.mark.litellm
def test_litellm_passes_anthropic_routes_through_with_its_own_upstream_key(
    litellm: LiteLLMProxy,
) -> None:
    response = post(
        f"{litellm.url}/anthropic/v1/messages",
        json=message_body("claude-opus-4-8"),
        headers=gateway_headers(litellm),
        timeout=30,
    )

    assert response.status_code == 200
    assert response.json()["content"][0]["text"] == "hi"
    assert "x-litellm-version" not in response.headers
    [upstream] = litellm.upstream.requests
    assert upstream.header("x-api-key") == UPSTREAM_API_KEY
    assert litellm.master_key not in json.dumps(dict(upstream.headers))


@pytest.mark.litellm
def test_litellm_counts_tokens_through_the_upstream(litellm: LiteLLMProxy) -> None:
    response = post(
        f"{litellm.url}/v1/messages/count_tokens",
        json=message_body("claude-haiku-4-5-20251001"),
        headers=gateway_headers(litellm),
        timeout=30,
    )

    assert response.status_code == 200
    assert response.json()["input_tokens"] > 0
    assert [r.route for r in litellm.upstream.requests] == ["/v1/messages/count_tokens"]


@pytest.mark.litellm
def test_litellm_reports_a_dead_upstream_as_500_cannot_connect(litellm: LiteLLMProxy) -> None:
    response = post(
        f"{litellm.url}/v1/messages",
        json=message_body(litellm.down_model),
        headers=gateway_headers(litellm),
        timeout=30,
    )

    assert response.status_code == 500
    assert "Cannot connect to host 127.0.0.1" in response.json()["error"]["message"]


@pytest.mark.litellm
@pytest.mark.parametrize(("upstream_status", "gateway_status"), [(401, 401), (529, 500)])
def test_litellm_relays_upstream_errors_without_cooling_the_model_down(
    litellm: LiteLLMProxy, upstream_status: int, gateway_status: int
) -> None:
    """A real router cools a failing model down for 5 s; ours must not, or tests would leak."""
    url = f"{litellm.url}/v1/messages"
    litellm.upstream.configure(forced_status=upstream_status)
    failed = post(url, json=message_body(), headers=gateway_headers(litellm), timeout=30)
    litellm.upstream.configure(forced_status=None)

    recovered = post(url, json=message_body(), headers=gateway_headers(litellm), timeout=30)

    assert failed.status_code == gateway_status
    assert recovered.status_code == 200


# --- TLS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [name for name in TLS_CASES if not name.startswith("mtls")])
def test_tls_case_fails_verification_with_its_code(tls_lab: TLSLab, case: str) -> None:
    public_roots_only = {"self_signed": 18, "mitm_chain": 19}.get(case, 20)
    with tls_lab.serve(case) as server:
        with pytest.raises(httpx.ConnectError) as default_trust:
            get(f"{server.url}/v1/models", headers=API_HEADERS)
        try:
            response = get(
                f"{server.url}/v1/models", headers=API_HEADERS, verify=tls_lab.client_context()
            )
        except httpx.ConnectError as error:
            lab_trust: int | None = verify_code(error)
        else:
            assert response.status_code == 200
            lab_trust = None

    assert verify_code(default_trust.value) == public_roots_only
    assert lab_trust == TLS_CASES[case].verify_code


def test_tls_hostname_mismatch_by_name_is_code_62(tls_lab: TLSLab) -> None:
    with tls_lab.serve("wrong_host") as server, pytest.raises(httpx.ConnectError) as error:
        get(server.url_at("localhost") + "/v1/models", verify=tls_lab.client_context())

    assert verify_code(error.value) == 62


def test_tls_lab_bundle_replaces_the_default_store(tls_lab: TLSLab) -> None:
    """What SSL_CERT_FILE=<bundle> gives a Python client: public roots plus the lab CA."""
    bundle_trust = ssl.create_default_context(cafile=str(tls_lab.ca_bundle))
    only_lab_ca = ssl.create_default_context(cafile=str(tls_lab.ca_pem))

    with tls_lab.serve("valid") as server:
        for trust in (bundle_trust, only_lab_ca):
            response = get(f"{server.url}/v1/models", headers=API_HEADERS, verify=trust)
            assert response.status_code == 200
    assert tls_lab.ca_bundle.stat().st_size > tls_lab.ca_pem.stat().st_size * 10


def test_mtls_server_requires_the_lab_client_certificate(tls_lab: TLSLab) -> None:
    with tls_lab.serve("mtls") as server:
        with pytest.raises((httpx.ReadError, httpx.ConnectError)) as refused:
            get(f"{server.url}/v1/models", headers=API_HEADERS, verify=tls_lab.client_context())
        accepted = get(
            f"{server.url}/v1/models",
            headers=API_HEADERS,
            verify=tls_lab.client_context(client_cert=True),
        )

    assert "CERTIFICATE_REQUIRED" in str(refused.value)
    assert accepted.status_code == 200


# --- forward proxy ------------------------------------------------------------------------------


def test_forward_proxy_tunnels_https_with_connect(
    forward_proxy: ForwardProxy, tls_lab: TLSLab
) -> None:
    mark = forward_proxy.log_mark()
    with tls_lab.serve("valid") as server:
        target = f"127.0.0.1:{server.port}"
        direct = get(
            f"{server.url}/v1/models", headers=API_HEADERS, verify=tls_lab.client_context()
        )
        proxied = get(
            f"{server.url}/v1/models",
            headers=API_HEADERS,
            verify=tls_lab.client_context(),
            proxy=forward_proxy.url,
        )

        assert (direct.status_code, proxied.status_code) == (200, 200)
        assert forward_proxy.wait_for_tunnel(target, since=mark)
        to_target = [a for a in forward_proxy.accesses(since=mark) if target in a.target]
        assert to_target == [ProxyAccess("CONNECT", target)]


def test_auth_proxy_answers_407_without_credentials(
    auth_forward_proxy: ForwardProxy, tls_lab: TLSLab
) -> None:
    mark = auth_forward_proxy.log_mark()
    with tls_lab.serve("valid") as server:
        with pytest.raises(httpx.ProxyError, match="407"):
            get(
                f"{server.url}/v1/models",
                verify=tls_lab.client_context(),
                proxy=auth_forward_proxy.url,
            )
        with pytest.raises(httpx.ProxyError, match="407"):
            get(
                f"{server.url}/v1/models",
                verify=tls_lab.client_context(),
                proxy=auth_forward_proxy.url.replace("://", "://corp-user:wrong@"),
            )
        response = get(
            f"{server.url}/v1/models",
            headers=API_HEADERS,
            verify=tls_lab.client_context(),
            proxy=auth_forward_proxy.url_with_credentials,
        )

        assert response.status_code == 200
        assert auth_forward_proxy.wait_for_tunnel(f"127.0.0.1:{server.port}", since=mark)


# --- transport-level failures ------------------------------------------------------------------


def test_silent_listener_accepts_and_never_answers(silent_listener: SilentListener) -> None:
    with pytest.raises(httpx.ReadTimeout):
        get(silent_listener.url, timeout=0.3)
    with pytest.raises(httpx.ConnectTimeout):
        get(silent_listener.url.replace("http:", "https:"), timeout=0.3)

    assert silent_listener.accepted == 2


def test_trickling_server_defeats_per_read_timeouts() -> None:
    interval = 0.02
    with TricklingServer(interval=interval) as server:
        started = time.monotonic()
        response = get(server.url, timeout=httpx.Timeout(0.5))
        elapsed = time.monotonic() - started

    assert (response.status_code, response.json()) == (200, {})
    assert elapsed >= len(TRICKLED_RESPONSE) * interval * 0.9


def test_dead_port_refuses_connections(dead_port: int) -> None:
    with pytest.raises(httpx.ConnectError, match="Connection refused"):
        get(f"http://127.0.0.1:{dead_port}/", timeout=2)
