"""credentials.aws, region.bedrock, models.bedrock and proxy.conformance (the event stream a
gateway sends back) live, against real peers on 127.0.0.1: the fake Bedrock (control plane,
runtime, and the AWS calls a credential chain makes) and moto's STS.

Each failure is set up for real and judged the way the issue's "Done when" says: exactly one
failing check, naming the cause; then the fix is applied (its `export` commands, or what an admin
would change on the AWS side) and the run turns green.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest

from ccdoctor.checks.proxy_conformance import conformance_check
from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.redact import Redactor
from ccdoctor.core.results import Status
from ccdoctor.knowledge import credentials as known
from tests.integration.conftest_bedrock import ACCESS_KEY_ID, SECRET_ACCESS_KEY, BedrockSetUp
from tests.integration.verdicts import Verdict, apply_exports, exports, verdict
from tests.peers import fake_bedrock
from tests.peers.blackhole import closed_port
from tests.peers.fake_bedrock import (
    ACCOUNT,
    CONTAINER_CREDENTIALS_PATH,
    DEFAULT_MODELS,
    EVENT_STREAM,
    FAULTS,
    AppProfile,
    Behaviour,
    FakeBedrock,
    FaultRule,
    chunk_event,
    exception_event,
)
from tests.peers.fake_bedrock import (
    OPERATIONS as BEDROCK_OPERATIONS,
)
from tests.peers.forward_proxy import ForwardProxy
from tests.peers.tls_servers import TLSLab
from tests.schema import validate_report

SELECTION = ("credentials.aws", "region.bedrock", "proxy.conformance", "models.bedrock")
OPTIONS = RunOptions(timeout=5.0, deadline=20.0)
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
MAIN = f"us.{SONNET}"
"""The main model the client (2.1.197) sends in us-east-1 by default."""


def run(setup: BedrockSetUp, **changes: object) -> Verdict:
    return verdict(setup.machine, *SELECTION, options=OPTIONS, **changes)


def inject(setup: BedrockSetUp, *rules: FaultRule) -> None:
    setup.fake.configure(faults=rules)


def sent(setup: BedrockSetUp, operation: str) -> list[str]:
    return [r.path for r in setup.fake.requests if r.operation == operation]


def sso_cache(setup: BedrockSetUp, session: str, expires: datetime, token: str) -> None:
    name = hashlib.sha1(session.encode()).hexdigest() + ".json"
    setup.machine.write(
        setup.machine.home / ".aws" / "sso" / "cache" / name,
        {
            "accessToken": token,
            "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "startUrl": "https://corp.awsapps.com/start",
        },
    )


def sso_profile(setup: BedrockSetUp) -> None:
    setup.machine.install("bedrock_sso")
    setup.machine.env["AWS_PROFILE"] = "dev"
    setup.machine.env["AWS_ENDPOINT_URL_SSO"] = setup.fake.root_url


def short_term_key(region: str, issued: datetime) -> str:
    """A Bedrock short-term API key shaped like aws-bedrock-token-generator's."""
    credential = f"ASIA{secrets.token_hex(8).upper()}%2F{issued:%Y%m%d}%2F{region}%2Fbedrock"
    url = (
        "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={credential}%2Faws4_request&X-Amz-Date={issued:%Y%m%dT%H%M%SZ}"
        f"&X-Amz-Expires=43200&X-Amz-SignedHeaders=host&X-Amz-Signature={secrets.token_hex(32)}"
        "&Version=1"
    )
    return known.BEDROCK_SHORT_KEY_PREFIX + base64.b64encode(url.encode()).decode()


def long_term_key() -> str:
    body = f"BedrockAPIKey-ab12-at-{ACCOUNT}:{secrets.token_urlsafe(30)}"
    return known.BEDROCK_LONG_KEY_PREFIX + base64.b64encode(body.encode()).decode()


# --- the healthy set-ups -------------------------------------------------------------------------


def test_signed_set_up_is_green_and_makes_the_clients_own_calls(bedrock: BedrockSetUp) -> None:
    bedrock.keys()

    result = run(bedrock)

    result.assert_green()
    assert not result.warnings, result.summary()
    identity = result["credentials.aws"]
    assert identity.message.endswith(f"→ arn:aws:sts::{ACCOUNT}:user/moto (account {ACCOUNT})")
    assert identity.details["identity"]["account"] == ACCOUNT
    assert result["models.bedrock"].message == (
        f"main model {MAIN} answers in us-east-1 (streamed, one token)"
    )
    assert result["proxy.conformance"].message == "127.0.0.1 passes Bedrock's event stream through"
    # The client's start-up listing, every page of it, and one streaming call, which
    # models.bedrock and proxy.conformance share: no retry, no second billed call.
    listings = sent(bedrock, "ListInferenceProfiles")
    assert listings[0] == "/inference-profiles?type=SYSTEM_DEFINED&maxResults=1000"
    pages = -(-2 * len(DEFAULT_MODELS) // 3)  # a geographic and a global. profile per model
    assert len(listings) == pages
    [stream] = [r for r in bedrock.fake.requests if r.operation == "InvokeModelWithResponseStream"]
    assert stream.path == f"/model/{MAIN.replace(':', '%3A')}/invoke-with-response-stream"
    assert stream.json() == {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1,
        "messages": [{"role": "user", "content": "hi"}],
    }
    authorization = stream.header("authorization") or ""
    assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/")
    assert "/us-east-1/bedrock/aws4_request" in authorization
    assert {r.region for r in bedrock.fake.requests if r.operation in BEDROCK_OPERATIONS} == {
        "us-east-1"
    }


def test_signatures_verify_with_the_secret(bedrock: BedrockSetUp) -> None:
    """The fake checks every SigV4 signature with botocore's signer: ccdoctor signs like the
    SDK, through the base URL, without a gateway altering anything."""
    bedrock.keys()
    bedrock.fake.configure(auth="sigv4", secrets={ACCESS_KEY_ID: SECRET_ACCESS_KEY})
    run(bedrock).assert_green()
    bedrock.keys(secret=SECRET_ACCESS_KEY[::-1])
    bedrock.machine.env["AWS_ENDPOINT_URL_STS"] = bedrock.fake.root_url

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert "the signature does not match" in failure.message
    assert "SignatureDoesNotMatch" in failure.message


def test_signing_for_a_gateway_that_signs_itself_fails_until_skip_auth(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    with FakeBedrock(Behaviour(auth="none"), prefix="/bedrock") as gateway:
        bedrock.machine.env["ANTHROPIC_BEDROCK_BASE_URL"] = gateway.url

        failure = run(bedrock).only_failure()

        assert failure.id == "models.bedrock"
        assert "something between here and AWS changed the signed request" in failure.message
        assert "InvalidSignatureException" in failure.message
        assert apply_exports(bedrock.machine, failure.fix) == {"CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1"}
        run(bedrock).assert_green()


def test_region_set_only_in_the_aws_config_file_is_the_one_called(bedrock: BedrockSetUp) -> None:
    del bedrock.machine.env["AWS_REGION"]
    bedrock.write_aws("config", "[default]\nregion = eu-west-1\n")
    bedrock.keys()

    run(bedrock).assert_green()

    assert {r.region for r in bedrock.fake.requests if r.operation in BEDROCK_OPERATIONS} == {
        "eu-west-1"
    }
    assert sent(bedrock, "InvokeModelWithResponseStream") == [
        f"/model/eu.{SONNET.replace(':', '%3A')}/invoke-with-response-stream"
    ]


def test_a_settings_file_env_block_beats_the_shell_for_the_live_calls(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.write_aws(
        "credentials",
        f"[work]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}"
        "\n[play]\naws_access_key_id = AKIAPLAYPLAYPLAYPLAY\naws_secret_access_key = nope\n",
    )
    bedrock.machine.env["AWS_PROFILE"] = "play"
    bedrock.machine.user_settings({"env": {"AWS_PROFILE": "work", "AWS_REGION": "eu-west-1"}})
    bedrock.fake.configure(auth="sigv4", secrets={ACCESS_KEY_ID: SECRET_ACCESS_KEY})

    run(bedrock).assert_green()

    signed = {r.header("authorization") or "" for r in bedrock.fake.requests}
    assert all(ACCESS_KEY_ID in a for a in signed if a)
    assert {r.region for r in bedrock.fake.requests if r.operation in BEDROCK_OPERATIONS} == {
        "eu-west-1"
    }


def test_unsigned_gateway_at_a_prefix_gets_both_calls_without_credentials(
    bedrock: BedrockSetUp,
) -> None:
    with FakeBedrock(Behaviour(auth="none"), prefix="/bedrock") as gateway:
        bedrock.machine.env.update(
            CLAUDE_CODE_SKIP_BEDROCK_AUTH="1", ANTHROPIC_BEDROCK_BASE_URL=gateway.url
        )

        result = run(bedrock)

        result.assert_green()
        bedrock_calls = [r for r in gateway.requests if r.operation in BEDROCK_OPERATIONS]
        assert {r.path.split("?")[0].split("/")[1] for r in bedrock_calls} == {"bedrock"}
        assert all(r.header("authorization") is None for r in gateway.requests)
        listings = [r.path for r in gateway.requests if r.operation == "ListInferenceProfiles"]
        assert listings[0] == "/bedrock/inference-profiles?type=SYSTEM_DEFINED&maxResults=1000"
        assert "GetCallerIdentity" not in gateway.operations()
        assert result["credentials.aws"].details["live"] == (
            "nothing to prove: the gateway adds credentials"
        )


def test_assumed_role_resolves_through_sts(bedrock: BedrockSetUp) -> None:
    bedrock.machine.install(
        "aws_assume_role", access_key_id=ACCESS_KEY_ID, secret_access_key=SECRET_ACCESS_KEY
    )
    bedrock.machine.env["AWS_PROFILE"] = "bedrock"

    result = run(bedrock)

    result.assert_green()
    identity = result["credentials.aws"]
    assert identity.details["resolved_by"] == "assume-role"
    assert identity.details["temporary"] is True
    assert f"arn:aws:sts::{ACCOUNT}:assumed-role/bedrock/" in identity.message


def test_assume_role_denied_names_the_trust_policy_not_the_bedrock_policy(
    bedrock: BedrockSetUp,
) -> None:
    """2.1.197 and 2.1.337 stop with STS's denial too (tests/facts/leftovers.md)."""
    bedrock.machine.install(
        "aws_assume_role", access_key_id=ACCESS_KEY_ID, secret_access_key=SECRET_ACCESS_KEY
    )
    bedrock.machine.env["AWS_PROFILE"] = "bedrock"
    bedrock.machine.env["AWS_ENDPOINT_URL_STS"] = bedrock.fake.root_url
    bedrock.fake.configure(assume_role_denied=True)

    result = run(bedrock)

    failure = result.only_failure()
    assert failure.id == "credentials.aws"
    assert "may not assume the role that role_arn names" in failure.message
    assert failure.fix is not None
    assert "trust policy" in failure.fix.text
    assert "[profile bedrock]" in failure.fix.text
    assert "bedrock:InvokeModel" not in failure.fix.text
    assert sent(bedrock, "AssumeRole") and not sent(bedrock, "InvokeModel")


# --- credentials --------------------------------------------------------------------------------


def test_no_credentials_fails_at_once_where_the_client_hangs(bedrock: BedrockSetUp) -> None:
    start = time.monotonic()
    done = bedrock.machine.cli(
        *(arg for check in SELECTION for arg in ("--only", check)),
        "--format", "json", "--timeout", "5",
    )  # fmt: skip
    seconds = time.monotonic() - start

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    validate_report(report)
    failing = [c["id"] for c in report["checks"] if c["status"] == "fail"]
    assert failing == ["credentials.aws"]
    [check] = [c for c in report["checks"] if c["id"] == "credentials.aws"]
    assert known.AWS_NO_CREDENTIALS in check["message"]
    # Nothing is sent to Bedrock: there is nothing to sign with.
    assert not BEDROCK_OPERATIONS & set(bedrock.fake.operations())
    print(f"\nno-credentials verdict: {seconds:.2f} s for the whole command, "
          f"{check['duration_ms']:.0f} ms for credentials.aws")  # fmt: skip
    assert seconds < 2.0
    assert check["duration_ms"] < 500
    bedrock.keys()
    run(bedrock).assert_green()


def test_missing_profile_fails_and_naming_one_that_exists_is_green(bedrock: BedrockSetUp) -> None:
    bedrock.write_aws(
        "credentials",
        f"[work]\naws_access_key_id = {ACCESS_KEY_ID}\n"
        f"aws_secret_access_key = {SECRET_ACCESS_KEY}\n",
    )
    bedrock.machine.env["AWS_PROFILE"] = "wrok"

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert "AWS_PROFILE=wrok names a profile that is in neither" in failure.message
    assert apply_exports(bedrock.machine, failure.fix) == {"AWS_PROFILE": "work"}
    run(bedrock).assert_green()


def test_unknown_access_key_is_rejected_by_sts(bedrock: BedrockSetUp) -> None:
    key = bedrock.sts.create_access_key()
    bedrock.sts.enforce_iam(True)
    bedrock.keys(key_id="AKIA" + "Z" * 16, secret=key.secret_access_key)

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert failure.message.startswith(
        "STS refuses the request signed with these credentials (sts:GetCallerIdentity): AWS does "
        "not know this access key id"
    )
    assert "HTTP 403 InvalidClientTokenId" in failure.message
    # No session token is set here: an `unset` of it would do nothing, so none is offered.
    assert failure.fix is not None
    assert not [c for c in failure.fix.commands if c.startswith("unset ")], failure.fix.commands
    bedrock.keys(key.access_key_id, key.secret_access_key)
    result = run(bedrock)
    result.assert_green()
    assert result["credentials.aws"].details["identity"]["arn"] == key.arn


@pytest.mark.parametrize("where", ["shell", "settings"])
def test_a_left_over_session_token_is_removed_where_it_is_set(
    bedrock: BedrockSetUp, where: str
) -> None:
    """The error table's fix takes AWS_SESSION_TOKEN away: with `unset` when the shell exports
    it, by naming the settings file whose env block holds it otherwise."""
    key = bedrock.sts.create_access_key()
    bedrock.sts.enforce_iam(True)
    bedrock.keys(key_id="AKIA" + "Z" * 16, secret=key.secret_access_key)
    stale = "FwoGZXIvYXdzE" + "x" * 40
    if where == "shell":
        bedrock.machine.env["AWS_SESSION_TOKEN"] = stale
    else:
        path = bedrock.machine.user_settings({"env": {"AWS_SESSION_TOKEN": stale}})

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert failure.fix is not None
    unsets = [c for c in failure.fix.commands if c.startswith("unset ")]
    if where == "shell":
        assert unsets == ["unset AWS_SESSION_TOKEN"]
    else:
        assert not unsets, failure.fix.commands
        assert f"Delete AWS_SESSION_TOKEN from the env block of {path}." in failure.fix.text


def test_wrong_secret_is_a_signature_mismatch(bedrock: BedrockSetUp) -> None:
    key = bedrock.sts.create_access_key()
    bedrock.sts.enforce_iam(True)
    bedrock.keys(key.access_key_id, "x" * 40)

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert "the signature does not match: the secret access key is wrong" in failure.message
    assert "HTTP 403 SignatureDoesNotMatch" in failure.message
    bedrock.keys(key.access_key_id, key.secret_access_key)
    run(bedrock).assert_green()


def test_expired_session_credentials_fail(bedrock: BedrockSetUp) -> None:
    stale, fresh = "ASIAEXPIREDSESSION01", "ASIAFRESHSESSION0001"
    bedrock.fake.configure(
        auth="sigv4",
        secrets={stale: SECRET_ACCESS_KEY, fresh: SECRET_ACCESS_KEY},
        expired_keys=frozenset({stale}),
    )
    bedrock.machine.env.update(
        AWS_ENDPOINT_URL_STS=bedrock.fake.root_url, AWS_SESSION_TOKEN="session-token-123"
    )
    bedrock.keys(stale)

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert "the session credentials have expired" in failure.message
    assert "HTTP 400 ExpiredToken" in failure.message
    bedrock.keys(fresh)
    run(bedrock).assert_green()


def test_clock_more_than_five_minutes_off_fails_and_a_synced_clock_is_green(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    bedrock.machine.env["AWS_ENDPOINT_URL_STS"] = bedrock.fake.root_url
    bedrock.fake.configure(auth="sigv4", clock_offset=600)

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert "this machine's clock is more than 5 minutes off" in failure.message
    assert "Signature expired" in failure.message
    assert failure.fix is not None and "sudo timedatectl set-ntp true" in failure.fix.commands
    bedrock.fake.configure(clock_offset=0)
    run(bedrock).assert_green()


def test_clock_a_few_minutes_off_only_warns(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.machine.env["AWS_ENDPOINT_URL_STS"] = bedrock.fake.root_url
    bedrock.fake.configure(auth="sigv4", clock_offset=180)

    result = run(bedrock)

    result.assert_green()
    identity = result["credentials.aws"]
    assert identity.status is Status.WARN
    assert identity.message.startswith("this machine's clock is 3 min behind AWS's")
    assert 170 < identity.details["clock_skew_seconds"] < 190


def test_sso_session_revoked_fails_and_logging_in_again_is_green(bedrock: BedrockSetUp) -> None:
    sso_profile(bedrock)
    sso_cache(bedrock, "corp", datetime.now(tz=UTC) + timedelta(hours=4), "revoked-token")
    bedrock.fake.configure(sso_tokens=frozenset({"new-token"}))

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert failure.message.startswith(
        "the AWS credential chain could not produce credentials: the SSO (IAM Identity Center) "
        "session has expired or was revoked (UnauthorizedSSOTokenError"
    )
    assert failure.fix is not None
    assert failure.fix.commands == ("aws sso login --profile dev",)
    sso_cache(bedrock, "corp", datetime.now(tz=UTC) + timedelta(hours=4), "new-token")
    result = run(bedrock)
    result.assert_green()
    assert result["credentials.aws"].details["resolved_by"] == "sso"
    # Once for the revoked token, once after logging in again.
    assert sent(bedrock, "GetRoleCredentials") == 2 * [
        "/federation/credentials?role_name=BedrockUser&account_id=123456789012"
    ]


def test_sso_login_about_to_expire_warns_but_works(bedrock: BedrockSetUp) -> None:
    sso_profile(bedrock)
    sso_cache(bedrock, "corp", datetime.now(tz=UTC) + timedelta(minutes=10), "token")

    result = run(bedrock)

    result.assert_green()
    identity = result["credentials.aws"]
    assert identity.status is Status.WARN
    assert "expires in" in identity.message
    assert identity.details["identity"]["account"] == ACCOUNT


def test_expired_sso_login_fails_offline_and_live_alike(bedrock: BedrockSetUp) -> None:
    sso_profile(bedrock)
    sso_cache(bedrock, "corp", datetime.now(tz=UTC) - timedelta(hours=1), "old")

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert "the SSO login for profile 'dev' expired" in failure.message
    assert "GetRoleCredentials" not in bedrock.fake.operations()


def test_aws_credential_export_is_run_as_the_client_runs_it(bedrock: BedrockSetUp) -> None:
    script = bedrock.machine.home / "bin" / "export-creds"
    secret = "exported-" + secrets.token_hex(16)
    document = {"Credentials": {"AccessKeyId": ACCESS_KEY_ID, "SecretAccessKey": secret}}
    bedrock.machine.write(script, "#!/bin/sh\necho 'sso token expired' >&2\nexit 1\n")
    script.chmod(0o755)
    bedrock.machine.user_settings({"awsCredentialExport": "~/bin/export-creds --profile dev"})

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert failure.message.startswith(
        "the awsCredentialExport command could not produce credentials: the awsCredentialExport "
        "command failed or did not print credential JSON (CredentialExportError: it exited with "
        "status 1: sso token expired)"
    )
    bedrock.machine.write(script, f"#!/bin/sh\necho '{json.dumps(document)}'\n")
    result = run(bedrock)
    result.assert_green()
    identity = result["credentials.aws"]
    assert identity.details["resolved_by"] == "aws-credential-export"
    assert identity.message.endswith(f"(account {ACCOUNT})")
    assert secret not in json.dumps([r.details for r in result.results.values()])
    [stream] = [r for r in bedrock.fake.requests if r.operation == "InvokeModelWithResponseStream"]
    assert (stream.header("authorization") or "").startswith(
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/"
    )


def test_container_credentials_are_fetched_live(bedrock: BedrockSetUp) -> None:
    bedrock.machine.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = (
        bedrock.fake.root_url + CONTAINER_CREDENTIALS_PATH
    )
    offline = run(bedrock, offline=True)["credentials.aws"]
    assert offline.status is Status.WARN
    assert "ccdoctor could not tell offline whether it answers" in offline.message

    result = run(bedrock)

    result.assert_green()
    assert not result.warnings, result.summary()
    identity = result["credentials.aws"]
    assert identity.details["resolved_by"] == "container-role"
    assert identity.details["temporary"] is True
    assert "ContainerCredentials" in bedrock.fake.operations()


def test_sts_out_of_reach_only_warns(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.machine.env["AWS_ENDPOINT_URL_STS"] = f"http://127.0.0.1:{closed_port()}"

    result = run(bedrock)

    result.assert_green()
    identity = result["credentials.aws"]
    assert identity.status is Status.WARN
    assert identity.message.startswith("could not check the identity with STS")
    assert "the client never calls STS" in identity.message


# --- Bedrock API keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["short-term", "long-term"])
def test_api_key_is_sent_as_a_bearer_token_and_proven_without_sts(
    bedrock: BedrockSetUp, kind: str
) -> None:
    key = (
        short_term_key("us-east-1", datetime.now(tz=UTC) - timedelta(hours=1))
        if kind == "short-term"
        else long_term_key()
    )
    bedrock.fake.configure(auth="bearer", bearer_tokens=frozenset({key}))
    bedrock.machine.env["AWS_BEARER_TOKEN_BEDROCK"] = key

    result = run(bedrock)

    result.assert_green()
    assert result["credentials.aws"].message.endswith(f"; accepted by {bedrock.fake.url[7:]}")
    assert {
        r.header("authorization") for r in bedrock.fake.requests if r.operation != "Unknown"
    } == {f"Bearer {key}"}
    assert "GetCallerIdentity" not in bedrock.fake.operations()
    assert key not in json.dumps([r.details for r in result.results.values()])


def test_api_key_rejected_by_bedrock_fails_and_a_valid_key_is_green(
    bedrock: BedrockSetUp,
) -> None:
    good = long_term_key()
    bedrock.fake.configure(auth="bearer", bearer_tokens=frozenset({good}))
    bedrock.machine.env["AWS_BEARER_TOKEN_BEDROCK"] = long_term_key()

    failure = run(bedrock).only_failure()

    assert failure.id == "credentials.aws"
    assert failure.message.startswith(
        "the client's start-up call (ListInferenceProfiles) is refused: Bedrock rejects the API "
        "key in AWS_BEARER_TOKEN_BEDROCK: it is revoked, expired, or was created in another region"
    )
    assert "Please make sure your API Key is valid" in failure.message
    assert "ListInferenceProfiles" in bedrock.fake.operations()
    bedrock.machine.env["AWS_BEARER_TOKEN_BEDROCK"] = good
    run(bedrock).assert_green()


# --- regions and inference profiles --------------------------------------------------------------


def test_us_profile_called_in_europe_fails_with_the_profiles_offered_there(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    bedrock.machine.env.update(AWS_REGION="eu-west-1", ANTHROPIC_MODEL=MAIN)

    result = run(bedrock)

    failure = result.only_failure()
    assert failure.id == "region.bedrock"
    assert failure.message == (
        f"main model {MAIN} is not an inference profile offered in eu-west-1 (AWS_REGION); "
        f"eu.{SONNET}, global.{SONNET} are"
    )
    assert result["models.bedrock"].message == "needs region.bedrock (fail)"
    assert apply_exports(bedrock.machine, failure.fix) == {"ANTHROPIC_MODEL": f"eu.{SONNET}"}
    run(bedrock).assert_green()


def test_built_in_profile_missing_in_the_region_warns_and_the_substitute_is_proven(
    bedrock: BedrockSetUp,
) -> None:
    """Watched on 2.1.197 and 2.1.332: the client sends a listed profile of the same model.
    ccdoctor asks for the profile the client prefers beside the listing (one round trip when it
    is listed), and for the substitute once the listing says the client sends that instead."""
    bedrock.keys()
    bedrock.fake.configure(hidden_profiles=frozenset({MAIN}))

    result = run(bedrock)

    result.assert_green()
    region = result["region.bedrock"]
    assert region.status is Status.WARN
    assert f"Claude Code then sends global.{SONNET}, which is" in region.message
    assert exports(region.fix) == {"ANTHROPIC_BEDROCK_REGION_PREFIX": "global"}
    assert sent(bedrock, "InvokeModelWithResponseStream") == [
        f"/model/{prefix}.{SONNET.replace(':', '%3A')}/invoke-with-response-stream"
        for prefix in ("us", "global")
    ]
    assert result["models.bedrock"].details["main"]["model"] == f"global.{SONNET}"


def test_model_not_offered_anywhere_in_the_region_names_what_is(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.machine.env["ANTHROPIC_MODEL"] = "us.anthropic.claude-sonnet-4-5-20250929-v9:0"

    failure = run(bedrock).only_failure()

    assert failure.id == "region.bedrock"
    assert failure.message.endswith("is not offered in us-east-1 (AWS_REGION), under any prefix")
    assert failure.fix is not None and "Offered there: " in failure.fix.text
    apply_exports(bedrock.machine, failure.fix)
    run(bedrock).assert_green()


def test_listing_denied_warns_and_the_model_is_still_proven(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS["iam_no_allow"], operation="ListInferenceProfiles"))

    result = run(bedrock)

    result.assert_green()
    region = result["region.bedrock"]
    assert region.status is Status.WARN
    assert region.message.startswith(
        "could not list the inference profiles in us-east-1, as the client does at start-up"
    )
    assert region.fix is not None and region.fix.snippet is not None
    assert "bedrock:ListInferenceProfiles" in region.fix.snippet
    assert result["models.bedrock"].status is Status.PASS


def test_a_listing_larger_than_a_probe_answer_is_read_whole(bedrock: BedrockSetUp) -> None:
    """A region's real listing runs to hundreds of kilobytes: the profiles at its end count."""
    bedrock.keys()
    others = tuple(f"anthropic.claude-made-up-{i}-20250101-v1:0" for i in range(400))
    bedrock.fake.configure(models=(*others, *DEFAULT_MODELS), page_size=1000)

    result = run(bedrock)

    result.assert_green()
    pages = [r for r in bedrock.fake.requests if r.operation == "ListInferenceProfiles"]
    assert len(pages) == 1  # one page, well past the 64 KB a probe's answer may have
    assert result["region.bedrock"].status is Status.PASS


# --- models --------------------------------------------------------------------------------------


def test_base_model_id_needs_an_inference_profile(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.machine.env["ANTHROPIC_MODEL"] = SONNET

    failure = run(bedrock).only_failure()

    assert failure.id == "models.bedrock"
    assert (
        f"{SONNET} is a base model ID, and this model is served only through inference "
        "profiles in us-east-1" in failure.message
    )
    assert "with on-demand throughput isn’t supported" in failure.message
    assert apply_exports(bedrock.machine, failure.fix) == {"ANTHROPIC_MODEL": MAIN}
    run(bedrock).assert_green()


ACCESS_CASES = [
    ("model_not_enabled", "the account may not use this model here", "use-case form"),
    (
        "iam_no_allow",
        f"no IAM policy of arn:aws:iam::{ACCOUNT}:user/key-MPLE allows the call",
        "bedrock:InvokeModelWithResponseStream",
    ),
    ("scp_deny", "a service control policy of your AWS Organization denies", "unspecified"),
    ("boundary_deny", "the permissions boundary of arn:aws:iam::", "permissions boundary"),
    ("iam_explicit_deny", "explicitly denies the call", "explicit deny beats every allow"),
    ("private_marketplace", "Private Marketplace does not allow", "allowed list"),
    ("not_available_for_account", "gated per account", "AWS account team"),
    ("marketplace_subscribe", "may not subscribe to it in AWS Marketplace", "aws:CalledViaLast"),
    ("use_case_form", "use-case form has not been submitted", "PutUseCaseForModelAccess"),
    ("end_of_life", f"{MAIN} has reached its end of life on Bedrock", "Pin a current model"),
    ("legacy_inactive", f"{MAIN} is marked Legacy", "Move to an active model"),
    ("geo_restricted", "may not be used from the country", "cannot be fixed in configuration"),
    ("daily_quota", "the daily token quota for", "Model invocation max tokens per day"),
    ("quota_exceeded", "a service quota for", "Service Quotas"),
    ("provisioned_only", "needs provisioned throughput", "Drop the `:NNNk` suffix"),
    ("invalid_model_id", f"Bedrock does not know {MAIN} in us-east-1", "listed in us-east-1"),
    ("prompt_caching_unsupported", "does not accept prompt-caching", "Disable prompt caching"),
    ("malformed_input", "has a field this model or integration does not accept", "unchanged"),
]


@pytest.mark.parametrize(
    ("name", "cause", "remedy"), ACCESS_CASES, ids=[c[0] for c in ACCESS_CASES]
)
def test_the_clients_own_call_refused_names_the_cause(
    bedrock: BedrockSetUp, name: str, cause: str, remedy: str
) -> None:
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS[name], operation="InvokeModelWithResponseStream"))

    result = run(bedrock)

    failure = result.only_failure()
    assert failure.id == "models.bedrock"
    assert failure.message.startswith(f"main model {MAIN} (the client's own call): ")
    conformance = result["proxy.conformance"]
    assert conformance.status is Status.SKIP
    assert conformance.message.startswith("nothing could be checked: the streamed call got no")
    assert cause in failure.message
    assert FAULTS[name].code in failure.message
    assert failure.fix is not None
    assert remedy in failure.fix.text + (failure.fix.snippet or "")
    inject(bedrock)  # what the admin's fix does on the AWS side
    run(bedrock).assert_green()


def test_end_of_life_model_is_replaced_by_a_newer_one_of_its_family(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    bedrock.machine.env["ANTHROPIC_MODEL"] = MAIN
    inject(bedrock, FaultRule(FAULTS["end_of_life"], model="sonnet-4-5"))

    failure = run(bedrock).only_failure()

    assert failure.id == "models.bedrock"
    assert apply_exports(bedrock.machine, failure.fix) == {
        "ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-6"
    }
    run(bedrock).assert_green()


def test_availability_explains_a_refusal(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    inject(
        bedrock, FaultRule(FAULTS["model_not_enabled"], operation="InvokeModelWithResponseStream")
    )
    bedrock.fake.configure(
        availability={SONNET: {"agreementAvailability": {"status": "NOT_AVAILABLE"}}}
    )

    failure = run(bedrock).only_failure()

    assert failure.fix is not None
    assert failure.fix.text.endswith(
        "Bedrock's availability check says the account has no AWS Marketplace agreement for it "
        "(NOT_AVAILABLE)."
    )


def test_quota_exhausted_in_the_middle_of_the_stream_fails(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    inject(
        bedrock,
        FaultRule(FAULTS["daily_quota"], operation="InvokeModelWithResponseStream", in_stream=True),
    )

    failure = run(bedrock).only_failure()

    assert failure.id == "models.bedrock"
    assert "the daily token quota" in failure.message
    assert "ThrottlingException: Too many tokens per day" in failure.message


def test_throttling_is_only_a_warning(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS["throttled"], operation="InvokeModelWithResponseStream"))

    result = run(bedrock)

    result.assert_green()
    models = result["models.bedrock"]
    assert models.status is Status.WARN
    assert "Bedrock is throttling requests" in models.message
    # One attempt: botocore's own retries for a 429 are off, as the first answer is the news.
    assert len(sent(bedrock, "InvokeModelWithResponseStream")) == 1


@pytest.mark.parametrize("name", ["unavailable", "model_not_ready"])
def test_transient_outages_only_warn(bedrock: BedrockSetUp, name: str) -> None:
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS[name], operation="InvokeModelWithResponseStream"))

    result = run(bedrock)

    result.assert_green()
    models = result["models.bedrock"]
    assert models.status is Status.WARN
    assert "Bedrock is temporarily unable to serve" in models.message
    assert len(sent(bedrock, "InvokeModelWithResponseStream")) == 1


def test_small_model_not_served_is_only_a_warning(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.machine.env.update(
        ANTHROPIC_DEFAULT_HAIKU_MODEL=f"us.{HAIKU}",
        ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION="us-west-2",
    )
    inject(bedrock, FaultRule(FAULTS["model_not_enabled"], operation="CountTokens", model="haiku"))

    result = run(bedrock)

    result.assert_green()
    models = result["models.bedrock"]
    assert models.status is Status.WARN
    assert models.message.startswith(
        f"small/fast model us.{HAIKU} (a free token count): the account may not use this model"
    )
    assert models.details["small_fast"]["region"] == "us-west-2"
    assert "us-west-2" in {r.region for r in bedrock.fake.requests}


def test_application_profile_is_looked_up_like_the_client_does(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    profile = AppProfile("a1b2c3d4e5f6", "us-east-1", SONNET)
    bedrock.fake.configure(application_profiles=(profile,))
    bedrock.machine.env["ANTHROPIC_MODEL"] = profile.arn.replace("a1b2c3d4e5f6", "deleted00000")

    missing = run(bedrock)

    failure = missing.only_failure()
    assert failure.id == "models.bedrock"
    assert "no such application inference profile in us-east-1" in failure.message
    assert missing["proxy.conformance"].message == (
        "nothing could be checked: the main model's application inference profile does not "
        "exist (see models.bedrock)"
    )
    assert "InvokeModelWithResponseStream" not in bedrock.fake.operations()
    assert bedrock.fake.operations().count("GetInferenceProfile") == 1
    bedrock.machine.env["ANTHROPIC_MODEL"] = profile.arn
    result = run(bedrock)
    result.assert_green()
    assert result["proxy.conformance"].status is Status.PASS
    assert result["models.bedrock"].details["main"]["application_profile"] == {
        "status": "ACTIVE",
        "base": SONNET,
    }


def test_legacy_model_warns(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.fake.configure(lifecycle={SONNET: "LEGACY"})

    result = run(bedrock)

    result.assert_green()
    models = result["models.bedrock"]
    assert models.status is Status.WARN
    assert models.message.startswith(f"main model {MAIN} is LEGACY on Bedrock, end of life ")
    assert exports(models.fix) == {"ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-6"}


def test_denied_diagnostic_calls_are_not_failures(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    inject(
        bedrock,
        FaultRule(FAULTS["iam_no_allow"], operation="GetFoundationModelAvailability"),
        FaultRule(FAULTS["iam_no_allow"], operation="ListFoundationModels"),
    )

    result = run(bedrock)

    result.assert_green()
    assert not result.warnings, result.summary()
    details = result["models.bedrock"].details["main"]
    assert details["availability"].startswith("could not check: HTTP 403 AccessDeniedException")


# --- the event stream, and gateways that break it ------------------------------------------------


def test_gateway_re_encoding_the_stream_only_warns_before_the_guard(bedrock: BedrockSetUp) -> None:
    """2.1.197 fails the stream and retries the turn as a plain InvokeModel, which works."""
    bedrock.keys()
    bedrock.fake.configure(stream_encoding="sse")

    result = run(bedrock)

    result.assert_green()
    conformance = result["proxy.conformance"]
    assert conformance.status is Status.WARN
    assert 're-encodes Bedrock\'s binary event stream as "text/event-stream"' in conformance.message
    assert "fails each stream and retries the turn without streaming" in conformance.message
    models = result["models.bedrock"]
    assert models.status is Status.PASS
    assert (
        models.message
        == f"main model {MAIN} answers in us-east-1 (one token, not as an event stream)"
    )
    assert models.details["main"]["stream"]["content_type"] == "text/event-stream"
    assert len(sent(bedrock, "InvokeModelWithResponseStream")) == 1


def test_gateway_re_encoding_the_stream_fails_without_the_non_streaming_fallback(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    bedrock.fake.configure(stream_encoding="sse")
    bedrock.machine.env["CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"] = "1"

    result = run(bedrock)

    failure = result.only_failure()
    assert failure.id == "proxy.conformance"
    assert failure.message.endswith('fails with "API Error: Truncated event message received."')
    assert failure.fix is not None
    assert failure.fix.commands == ("unset CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK",)
    assert result["models.bedrock"].message == "needs proxy.conformance (fail)"
    del bedrock.machine.env["CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"]  # the fix, applied
    run(bedrock).assert_green()


def test_gateway_re_encoding_the_stream_fails_with_the_clients_words(bedrock: BedrockSetUp) -> None:
    bedrock.machine.claude_version = "2.1.208"
    bedrock.keys()
    bedrock.fake.configure(stream_encoding="sse")

    failure = run(bedrock).only_failure()

    assert failure.id == "proxy.conformance"
    assert 're-encodes Bedrock\'s binary event stream as "text/event-stream"' in failure.message
    assert (
        'Bedrock streaming response has content-type "text/event-stream"; expected '
        f'"{EVENT_STREAM}".' in failure.message
    )
    assert failure.fix is not None and not failure.fix.commands
    bedrock.fake.configure(stream_encoding="eventstream")  # the gateway passes it through
    run(bedrock).assert_green()


def test_gateway_buffering_the_stream_as_json_is_judged_like_a_re_encoding(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.machine.claude_version = None  # an unknown version: the newest client's rules
    bedrock.keys()
    bedrock.fake.configure(stream_encoding="json")

    failure = run(bedrock).only_failure()

    assert failure.id == "proxy.conformance"
    assert 're-encodes Bedrock\'s binary event stream as "application/json"' in failure.message


def test_gateway_damaging_a_correctly_labelled_stream_fails(
    bedrock: BedrockSetUp, monkeypatch: pytest.MonkeyPatch
) -> None:
    bedrock.keys()
    real_chunk = fake_bedrock.chunk_event

    def damaged(event: dict[str, object]) -> bytes:
        frame = bytearray(real_chunk(event))
        frame[-10] ^= 0xFF
        return bytes(frame)

    monkeypatch.setattr(fake_bedrock, "chunk_event", damaged)

    result = run(bedrock)

    failure = result.only_failure()
    assert failure.id == "proxy.conformance"
    assert failure.message.startswith(f"the answer from {bedrock.fake.url} is not a readable")
    assert "ChecksumMismatch" in failure.message
    assert result["models.bedrock"].message == "needs proxy.conformance (fail)"
    monkeypatch.undo()  # the gateway passes the stream through
    run(bedrock).assert_green()


def test_gateway_rewriting_only_the_content_type_warns_before_the_guard(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    bedrock.fake.configure(stream_encoding="header-only")

    result = run(bedrock)

    result.assert_green()
    conformance = result["proxy.conformance"]
    assert conformance.status is Status.WARN
    assert "this Claude Code reads it, but Claude Code 2.1.208 and later refuse it" in (
        conformance.message
    )
    assert exports(conformance.fix) == {"CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD": "1"}
    assert result["models.bedrock"].message == (
        f"main model {MAIN} answers in us-east-1 (streamed, one token)"
    )


def test_gateway_rewriting_only_the_content_type_can_be_tolerated(bedrock: BedrockSetUp) -> None:
    bedrock.machine.claude_version = "2.1.208"
    bedrock.keys()
    bedrock.fake.configure(stream_encoding="header-only")

    failure = run(bedrock).only_failure()

    assert failure.id == "proxy.conformance"
    assert 'sends the event stream under content type "text/event-stream"' in failure.message
    assert apply_exports(bedrock.machine, failure.fix) == {
        "CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD": "1"
    }
    result = run(bedrock)
    result.assert_green()
    assert result["proxy.conformance"].details["stream"]["tolerated"] == (
        "CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD"
    )


def test_without_a_gateway_the_stream_is_not_judged_here(bedrock: BedrockSetUp) -> None:
    """Called directly: the rest of the run would reach the real AWS."""
    bedrock.keys()
    del bedrock.machine.env["ANTHROPIC_BEDROCK_BASE_URL"]
    ctx = CheckContext(bedrock.machine.resolve(), OPTIONS, Redactor())

    outcome = conformance_check.run(ctx)

    assert outcome.status is Status.SKIP
    assert outcome.message == "no gateway: ANTHROPIC_BEDROCK_BASE_URL is not set"
    assert bedrock.fake.requests == []


def test_the_fakes_event_stream_is_what_botocore_parses() -> None:
    from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

    event = {"type": "message_start", "message": {"id": "msg_1"}}
    data = chunk_event(event) + exception_event("ThrottlingException", "Too many tokens per day")
    buffer = EventStreamBuffer()
    buffer.add_data(data)

    chunk, exception = list(buffer)

    assert chunk.headers == {
        ":event-type": "chunk",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(base64.b64decode(json.loads(chunk.payload)["bytes"])) == event
    assert exception.headers[":message-type"] == "exception"
    assert exception.headers[":exception-type"] == "throttlingException"
    assert json.loads(exception.payload) == {"message": "Too many tokens per day"}
    corrupted = bytearray(chunk_event(event))
    corrupted[-10] ^= 0xFF
    broken = EventStreamBuffer()
    broken.add_data(bytes(corrupted))
    with pytest.raises(ChecksumMismatch):
        list(broken)


# --- free calls only -----------------------------------------------------------------------------


def test_no_invoke_makes_only_free_calls_and_says_what_is_unproven(bedrock: BedrockSetUp) -> None:
    bedrock.keys()

    result = run(bedrock, no_invoke=True)

    result.assert_green()
    assert result["models.bedrock"].message == (
        f"main model {MAIN} known in us-east-1 (free token count; throttling, the daily token "
        "quota and the event stream stay unproven)"
    )
    assert result["proxy.conformance"].message == (
        "nothing could be checked: the event stream (--no-invoke)"
    )
    assert "InvokeModelWithResponseStream" not in bedrock.fake.operations()
    assert "InvokeModel" not in bedrock.fake.operations()
    assert sent(bedrock, "CountTokens") == [f"/model/{SONNET.replace(':', '%3A')}/count-tokens"]


def test_no_invoke_with_token_counting_unsupported_falls_back_on_availability(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.keys()
    bedrock.fake.configure(count_tokens_models=frozenset())

    result = run(bedrock, no_invoke=True)

    result.assert_green()
    assert result["models.bedrock"].message == (
        f"main model {MAIN} available in us-east-1 (per GetFoundationModelAvailability; not "
        "invoked)"
    )
    bedrock.fake.configure(
        availability={SONNET: {"authorizationStatus": "NOT_AUTHORIZED"}},
    )
    warned = run(bedrock, no_invoke=True)
    warned.assert_green()
    models = warned["models.bedrock"]
    assert models.status is Status.WARN
    assert "not proven with a free call, and Bedrock says the account is not authorized" in (
        models.message
    )


def test_no_invoke_with_nothing_conclusive_warns(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.fake.configure(count_tokens_models=frozenset())
    inject(bedrock, FaultRule(FAULTS["iam_no_allow"], operation="GetFoundationModelAvailability"))

    result = run(bedrock, no_invoke=True)

    result.assert_green()
    models = result["models.bedrock"]
    assert models.status is Status.WARN
    assert models.message.startswith(f"could not check main model {MAIN} with free calls")
    assert models.fix is not None and "Run without --no-invoke" in models.fix.text


def test_offline_makes_no_call_at_all(bedrock: BedrockSetUp) -> None:
    bedrock.keys()

    result = run(bedrock, offline=True)

    result.assert_green()
    assert result["models.bedrock"].status is Status.SKIP
    assert result["credentials.aws"].status is Status.PASS
    assert "identity" not in result["credentials.aws"].details
    assert bedrock.fake.requests == []


# --- the network path ----------------------------------------------------------------------------


def test_private_ca_is_trusted_only_through_node_extra_ca_certs(
    bedrock: BedrockSetUp, tls_lab: TLSLab
) -> None:
    bedrock.keys()
    with FakeBedrock(ssl_context=tls_lab.server_context("valid")) as secure:
        bedrock.machine.env["ANTHROPIC_BEDROCK_BASE_URL"] = secure.url

        result = run(bedrock)

        assert result.only_failure().id == "proxy.reachable"
        assert result["models.bedrock"].message == "needs proxy.reachable (fail)"
        assert "CERTIFICATE_VERIFY_FAILED" in str(result["region.bedrock"].details["live"])
        bedrock.machine.env["NODE_EXTRA_CA_CERTS"] = str(tls_lab.ca_pem)
        run(bedrock).assert_green()
        assert "InvokeModelWithResponseStream" in secure.operations()


def test_bedrock_calls_take_the_clients_proxy(
    bedrock: BedrockSetUp, tls_lab: TLSLab, forward_proxy: ForwardProxy
) -> None:
    bedrock.keys()
    with FakeBedrock(ssl_context=tls_lab.server_context("valid")) as secure:
        bedrock.machine.env.update(
            ANTHROPIC_BEDROCK_BASE_URL=secure.url,
            NODE_EXTRA_CA_CERTS=str(tls_lab.ca_pem),
            HTTPS_PROXY=forward_proxy.url,
        )
        mark = forward_proxy.log_mark()

        run(bedrock).assert_green()

        assert forward_proxy.wait_for_tunnel(f"127.0.0.1:{secure.port}", since=mark)
        assert "InvokeModelWithResponseStream" in secure.operations()


def test_an_unusable_base_url_sends_nothing_to_aws_instead(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    bedrock.machine.env["ANTHROPIC_BEDROCK_BASE_URL"] = f"'{bedrock.fake.url}'"

    result = run(bedrock)

    assert result.only_failure().id == "proxy.config"
    assert result["models.bedrock"].status is Status.SKIP
    assert not BEDROCK_OPERATIONS & set(bedrock.fake.operations())
    assert result["region.bedrock"].details["live"] == {
        "skipped": "ANTHROPIC_BEDROCK_BASE_URL is not a usable URL (see proxy.config)"
    }


ODD_INPUTS = [
    {"ANTHROPIC_MODEL": "us.anthropic.claude-\u00fc\u200b"},
    {"ANTHROPIC_MODEL": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/"},
    {"ANTHROPIC_MODEL": "a" * 3000},
    {"ANTHROPIC_BEDROCK_BASE_URL": "http://127.0.0.1:99999"},
    {"ANTHROPIC_BEDROCK_BASE_URL": "http://[::1"},
    {"AWS_REGION": "zz-nowhere-9"},
    {
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": "x\x00y",
        "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION": "eu-west-1",
    },
    {"AWS_ENDPOINT_URL_STS": "not a url"},
    {"AWS_CA_BUNDLE": "/nonexistent", "NODE_EXTRA_CA_CERTS": "/nonexistent"},
    {"HTTPS_PROXY": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "https://127.0.0.1:2"},
    {"AWS_PROFILE": "\u00e9t\u00e9"},
    {"AWS_BEARER_TOKEN_BEDROCK": "ABSK" + "\u00ff" * 10},
]


@pytest.mark.parametrize("odd", ODD_INPUTS, ids=lambda odd: ",".join(odd))
def test_odd_input_gets_a_verdict_never_a_crash(bedrock: BedrockSetUp, odd: dict[str, str]) -> None:
    bedrock.keys()
    bedrock.machine.env.update(odd)

    result = verdict(bedrock.machine, *SELECTION, options=RunOptions(timeout=3.0, deadline=12.0))

    assert not [r for r in result.results.values() if r.status is Status.ERROR], result.summary()
    assert not [r for r in result.results.values() if "timed out" in r.message], result.summary()


# --- the model-access fallback (2.1.332) ---------------------------------------------------------

OPUS_5_5 = "us.anthropic.claude-opus-5-5"
OPUS_5 = "us.anthropic.claude-opus-5"


def _invoked(setup: BedrockSetUp) -> list[str]:
    paths = sent(setup, "InvokeModelWithResponseStream")
    return [unquote(path.split("/")[2]) for path in paths]


def test_a_refused_default_that_the_fallback_rescues_warns_and_names_where_sessions_land(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.machine.claude_version = "2.1.332"
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS["model_not_enabled"], model="claude-opus-5-5"))

    result = run(bedrock)

    result.assert_green()
    warning = result["models.bedrock"]
    assert warning.status is Status.WARN
    assert f"Claude Code 2.1.332 falls back to {OPUS_5}, which answers" in warning.message
    assert f"sessions run on {OPUS_5}, not on the built-in default" in warning.message
    # As the client: the refused default, then the next model of the chain, and no further.
    assert _invoked(bedrock) == [OPUS_5_5, OPUS_5]
    assert apply_exports(bedrock.machine, warning.fix) == {"ANTHROPIC_MODEL": OPUS_5}
    assert run(bedrock)["models.bedrock"].status is Status.PASS


def test_an_account_no_model_of_the_chain_answers_fails_and_names_them_all(
    bedrock: BedrockSetUp,
) -> None:
    bedrock.machine.claude_version = "2.1.332"
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS["model_not_enabled"], model="claude-opus"))

    failure = run(bedrock).only_failure()

    assert failure.id == "models.bedrock"
    assert "Claude Code 2.1.332 then falls back to us.anthropic.claude-opus-5, " in failure.message
    assert failure.message.endswith("and none of them answers either")
    assert len(_invoked(bedrock)) == 7


@pytest.mark.parametrize(
    "stopper",
    [
        {"CLAUDE_CODE_NO_MODEL_FALLBACK": "1"},
        {"CLAUDE_CODE_DISABLE_MODEL_ACCESS_FALLBACK": "1"},
        {"ANTHROPIC_MODEL": OPUS_5_5},
    ],
)
def test_a_switched_off_or_pinned_fallback_makes_the_refusal_a_failure(
    bedrock: BedrockSetUp, stopper: dict[str, str]
) -> None:
    bedrock.machine.claude_version = "2.1.332"
    bedrock.machine.env.update(stopper)
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS["model_not_enabled"], model="claude-opus-5-5"))

    failure = run(bedrock).only_failure()

    assert failure.id == "models.bedrock"
    assert "falls back" not in failure.message
    assert _invoked(bedrock) == [OPUS_5_5]


def test_a_client_without_the_fallback_fails_on_the_refused_default(bedrock: BedrockSetUp) -> None:
    bedrock.keys()
    inject(bedrock, FaultRule(FAULTS["model_not_enabled"], model="claude-sonnet-4-5"))

    failure = run(bedrock).only_failure()

    assert failure.id == "models.bedrock"
    assert "falls back" not in failure.message
    assert _invoked(bedrock) == [MAIN]
