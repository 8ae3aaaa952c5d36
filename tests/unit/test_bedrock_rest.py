"""The Bedrock requests ccdoctor builds without botocore's clients, held against what botocore's
own serializer builds for the same operation, and the answers read back as botocore reads them."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from ccdoctor.net.client import HttpAnswer, HttpFailure
from ccdoctor.net.probe import Cause
from ccdoctor.providers.bedrock import rest
from tests.peers.fake_bedrock import chunk_event, exception_event

BASE = "https://bedrock.example.test"

CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "bedrock",
        "list_inference_profiles",
        {"typeEquals": "SYSTEM_DEFINED", "maxResults": 1000, "nextToken": "a/b+c=="},
    ),
    ("bedrock", "list_foundation_models", {"byProvider": "Anthropic"}),
    (
        "bedrock",
        "get_foundation_model_availability",
        {"modelId": "anthropic.claude-3-5-haiku-20241022-v1:0"},
    ),
    (
        "bedrock",
        "get_inference_profile",
        {
            "inferenceProfileIdentifier": "arn:aws:bedrock:us-east-1:123456789012:"
            "application-inference-profile/abc123"
        },
    ),
    (
        "bedrock-runtime",
        "invoke_model_with_response_stream",
        {
            "modelId": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "body": b'{"max_tokens": 1}',
            "contentType": "application/json",
            "accept": "application/json",
        },
    ),
    (
        "bedrock-runtime",
        "count_tokens",
        {
            "modelId": "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "input": {"invokeModel": {"body": b'{"messages": []}'}},
        },
    ),
]


def _botocore_request(service: str, operation: str, params: dict[str, Any]) -> Any:
    """What botocore itself would send: its serializer run on the service model."""
    import botocore.session
    from botocore.awsrequest import prepare_request_dict
    from botocore.serialize import create_serializer

    model = botocore.session.get_session().get_service_model(service)
    op = model.operation_model("".join(part.capitalize() for part in operation.split("_")))
    serialized = create_serializer(model.metadata["protocol"]).serialize_to_request(params, op)
    prepare_request_dict(serialized, BASE)
    return serialized


@pytest.mark.parametrize(("service", "operation", "params"), CASES, ids=[c[1] for c in CASES])
def test_requests_match_botocores_serializer(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    ours = rest.build(rest.OPERATIONS[operation], BASE, params)
    theirs = _botocore_request(service, operation, params)
    assert rest.OPERATIONS[operation].service == service
    assert ours.method == theirs["method"]
    assert ours.url == theirs["url"]
    for name, value in ours.headers.items():
        assert theirs["headers"].get(name) == value
    body = theirs["body"]
    if isinstance(body, bytes) and body.startswith(b"{") and ours.body is not None:
        assert json.loads(ours.body) == json.loads(body)
    else:
        assert (ours.body or b"") == (body or b"")


def test_endpoint_is_the_base_url_for_both_services_or_the_regional_host() -> None:
    assert rest.endpoint("bedrock", "eu-west-1", None) == "https://bedrock.eu-west-1.amazonaws.com"
    assert (
        rest.endpoint("bedrock-runtime", "eu-west-1", None)
        == "https://bedrock-runtime.eu-west-1.amazonaws.com"
    )
    assert rest.endpoint("bedrock", "eu-west-1", "http://gw:8080/br/") == "http://gw:8080/br"


def _answer(status: int, body: bytes, **headers: str) -> HttpAnswer:
    return HttpAnswer(status, headers, body.decode("utf-8", "replace"), 1.0, raw=body)


class _Network:
    def __init__(self, reply: HttpAnswer | HttpFailure) -> None:
        self.reply = reply
        self.sent: list[tuple[str, str, dict[str, str], bytes | None]] = []

    def request(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: Any = None,
        content: Any = None,
        cap: int = 0,
    ) -> HttpAnswer | HttpFailure:
        self.sent.append((method, url, dict(headers or {}), content))
        return self.reply


def _send(reply: HttpAnswer | HttpFailure, stream: bool = False) -> Any:
    request = rest.Request("GET", BASE + "/foundation-models", {}, None)
    return rest.send(_Network(reply), request, 1.0, stream)  # type: ignore[arg-type]


def test_error_code_from_the_header_wins_and_loses_its_suffix() -> None:
    reply = _answer(
        403,
        b'{"message": "no access"}',
        **{"x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/"},
    )
    code, message, status, _ = _send(reply)
    assert (code, message, status) == ("AccessDeniedException", "no access", 403)


def test_error_code_from_the_body_type_without_its_namespace() -> None:
    reply = _answer(400, b'{"__type": "com.amazon.bedrock#ValidationException", "Message": "bad"}')
    assert _send(reply)[:3] == ("ValidationException", "bad", 400)


def test_an_answer_without_an_error_body_is_named_by_its_status() -> None:
    assert _send(_answer(502, b"<html>Bad Gateway</html>"))[:3] == ("502", "", 502)


@pytest.mark.parametrize(
    ("cause", "code"),
    [
        (Cause.TLS_UNKNOWN_ISSUER, "SSLError"),
        (Cause.PROXY_AUTH, "ProxyConnectionError"),
        (Cause.REFUSED, "EndpointConnectionError"),
        (Cause.DNS_FAILED, "EndpointConnectionError"),
        (Cause.CONNECT_TIMEOUT, "ConnectTimeoutError"),
        (Cause.HTTP_TIMEOUT, "Timeout"),
        (Cause.HTTP_CLOSED, "ConnectionClosedError"),
    ],
)
def test_failures_without_an_answer_carry_botocores_names(cause: Cause, code: str) -> None:
    assert _send(HttpFailure(cause, "detail", 1.0))[:3] == (code, "detail", None)


def test_an_event_stream_yields_the_anthropic_event_types() -> None:
    events = [{"type": "message_start"}, {"type": "content_block_delta"}, {"type": "message_stop"}]
    body = b"".join(chunk_event(e) for e in events)
    data, _ = _send(
        _answer(200, body, **{"content-type": "application/vnd.amazon.eventstream"}), stream=True
    )
    assert data == {
        "content_type": "application/vnd.amazon.eventstream",
        "events": ["message_start", "content_block_delta", "message_stop"],
        "decode_error": None,
    }


def test_an_exception_event_mid_stream_is_the_error_it_names() -> None:
    body = chunk_event({"type": "message_start"}) + exception_event(
        "ThrottlingException", "slow down"
    )
    code, message, status, _ = _send(_answer(200, body), stream=True)
    assert (code, message, status) == ("throttlingException", "slow down", 200)


def test_server_sent_events_are_not_an_event_stream() -> None:
    sse = b'event: message_start\ndata: {"type": "message_start"}\n\n'
    data, _ = _send(_answer(200, sse, **{"content-type": "text/event-stream"}), stream=True)
    assert data["events"] == []
    assert data["decode_error"]


def test_binary_members_travel_base64_encoded() -> None:
    request = rest.build(
        rest.OPERATIONS["count_tokens"],
        BASE,
        {"modelId": "m", "input": {"invokeModel": {"body": b"\x00hi"}}},
    )
    assert request.body is not None
    sent = json.loads(request.body)
    assert base64.b64decode(sent["input"]["invokeModel"]["body"]) == b"\x00hi"


def test_a_cut_off_answer_is_an_error_not_an_empty_listing() -> None:
    reply = HttpAnswer(200, {}, '{"inferenceProfileSummaries": [', 1.0, truncated=True, raw=b"{")
    code, message, status, _ = _send(reply)
    assert (code, status) == ("Timeout", None)
    assert "cut off" in message
