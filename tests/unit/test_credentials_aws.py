"""credentials.aws: which source of the AWS chain signs Bedrock requests, judged offline from
variables, ~/.aws files, the SSO token cache and Bedrock API keys."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult, Status, fix_to_dict
from ccdoctor.host import cloud as cloud_host
from ccdoctor.knowledge import credentials as known
from ccdoctor.providers.bedrock.credentials import decode_bedrock_key
from tests.machine import Machine, machine_file

CHECK = "credentials.aws"
OFFLINE = RunOptions(offline=True)


@pytest.fixture(autouse=True)
def bedrock(machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    """Bedrock in us-west-2, on a machine that is not an EC2 instance."""
    dmi = tmp_path / "dmi"
    dmi.mkdir()
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", dmi)
    machine.env["CLAUDE_CODE_USE_BEDROCK"] = "1"
    machine.env["AWS_REGION"] = "us-west-2"
    # The offline verdict is judged here; the live part (STS) in tests/integration.
    monkeypatch.setattr(machine, "run", functools.partial(machine.run, options=OFFLINE))
    return machine


def dump(result: CheckResult) -> str:
    return json.dumps(
        {"message": result.message, "fix": fix_to_dict(result.fix), "details": result.details},
        default=str,
    )


def messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def access_key_id(prefix: str = "AKIA") -> str:
    return prefix + "".join(
        secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16)
    )


def secret_access_key() -> str:
    return secrets.token_urlsafe(30)[:40]


def aws_config(machine: Machine, text: str) -> Path:
    return machine.write(machine.home / ".aws" / "config", text)


def aws_credentials(machine: Machine, text: str) -> Path:
    return machine.write(machine.home / ".aws" / "credentials", text)


def sso_cache(machine: Machine, key: str, expires: datetime, **extra: str) -> Path:
    name = hashlib.sha1(key.encode()).hexdigest() + ".json"
    body = {
        "accessToken": "aoa" + secrets.token_urlsafe(40),
        "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **extra,
    }
    return machine.write(machine.home / ".aws" / "sso" / "cache" / name, body)


def short_term_key(region: str, issued: datetime, lifetime: int = 43_200) -> str:
    credential = f"{access_key_id('ASIA')}%2F{issued:%Y%m%d}%2F{region}%2Fbedrock%2Faws4_request"
    url = (
        "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={credential}&X-Amz-Date={issued:%Y%m%dT%H%M%SZ}"
        f"&X-Amz-Expires={lifetime}&X-Amz-SignedHeaders=host"
        f"&X-Amz-Security-Token={secrets.token_urlsafe(120)}"
        f"&X-Amz-Signature={secrets.token_hex(32)}&Version=1"
    )
    return known.BEDROCK_SHORT_KEY_PREFIX + base64.b64encode(url.encode()).decode()


def long_term_key(account: str = "123456789012") -> str:
    body = f"BedrockAPIKey-ab12-at-{account}:{secrets.token_urlsafe(40)}"
    return known.BEDROCK_LONG_KEY_PREFIX + base64.b64encode(body.encode()).decode()


NOW = datetime.now(tz=UTC)

# --- skip-auth -----------------------------------------------------------------------------------


def test_skip_auth_with_a_gateway_passes(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_SKIP_BEDROCK_AUTH"] = "1"
    machine.env["ANTHROPIC_BEDROCK_BASE_URL"] = "http://127.0.0.1:4000/bedrock"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "skipped" in result.message
    assert result.details["method"] == "skipped"


def test_skip_auth_without_a_gateway_warns(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_SKIP_BEDROCK_AUTH"] = "true"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "ANTHROPIC_BEDROCK_BASE_URL is not" in result.message
    assert result.fix is not None and "unset CLAUDE_CODE_SKIP_BEDROCK_AUTH" in result.fix.commands


# --- Bedrock API keys ----------------------------------------------------------------------------


def test_valid_short_term_key_passes_and_wins_over_env_keys(machine: Machine) -> None:
    key = short_term_key("us-west-2", NOW - timedelta(hours=1))
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = key
    machine.env["AWS_ACCESS_KEY_ID"] = access_key_id()
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "short-term, region us-west-2" in result.message
    assert result.details["method"] == "bedrock-api-key"
    assert "wins" in result.details["ignored"]
    assert result.details["bedrock_api_key"]["temporary_principal"] is True
    assert key not in dump(result)


def test_key_made_by_botocore_signing_decodes(machine: Machine) -> None:
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url="https://bedrock.amazonaws.com/",
        headers={"host": "bedrock.amazonaws.com"},
        params={"Action": "CallWithBearerToken"},
    )
    credentials = Credentials(access_key_id(), secret_access_key(), "session" * 10)
    SigV4QueryAuth(credentials, "bedrock", "eu-central-1", expires=43_200).add_auth(request)
    url = request.prepare().url.replace("https://", "") + "&Version=1"
    key = decode_bedrock_key("bedrock-api-key-" + base64.b64encode(url.encode()).decode())
    assert key.region == "eu-central-1"
    assert key.expires_at is not None
    # Against the time of signing, not the module's NOW: a long suite run makes that stale.
    assert timedelta(hours=11) < key.expires_at - datetime.now(tz=UTC) <= timedelta(hours=12)


def test_expired_short_term_key_fails(machine: Machine) -> None:
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = short_term_key("us-west-2", NOW - timedelta(hours=13))
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "expired at" in result.message
    assert result.fix is not None
    assert any("AWS_BEARER_TOKEN_BEDROCK" in c for c in result.fix.commands)


def test_short_term_key_expiring_soon_warns(machine: Machine) -> None:
    # Against the time of the test, not the module's NOW: a long suite run makes that stale.
    issued = datetime.now(tz=UTC) - timedelta(hours=12) + timedelta(minutes=10)
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = short_term_key("us-west-2", issued)
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "expires in" in result.message


def test_short_term_key_for_another_region_fails(machine: Machine) -> None:
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = short_term_key("eu-west-1", NOW)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "only works in region eu-west-1" in result.message
    assert "us-west-2 (from AWS_REGION)" in result.message
    assert result.fix is not None and result.fix.commands == ("export AWS_REGION=eu-west-1",)


def test_malformed_short_term_key_fails(machine: Machine) -> None:
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-" + secrets.token_hex(40)
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "malformed short-term key" in result.message


def test_long_term_key_passes_with_its_account(machine: Machine) -> None:
    key = long_term_key("210987654321")
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = key
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert "account 210987654321" in result.message
    assert key not in dump(result)
    assert key[20:60] not in dump(result)


def test_key_of_unknown_shape_warns(machine: Machine) -> None:
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = secrets.token_urlsafe(40)
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "does not look like a Bedrock API key" in result.message


def test_quoted_key_fails(machine: Machine) -> None:
    key = long_term_key()
    machine.env["AWS_BEARER_TOKEN_BEDROCK"] = f"'{key}'"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "literal quotes" in result.message
    assert key not in dump(result)


# --- environment keys ----------------------------------------------------------------------------


def test_env_keys_pass_without_showing_them(machine: Machine) -> None:
    key_id, secret = access_key_id(), secret_access_key()
    machine.env["AWS_ACCESS_KEY_ID"] = key_id
    machine.env["AWS_SECRET_ACCESS_KEY"] = secret
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "env"
    assert key_id not in dump(result) and secret not in dump(result)


def test_partial_env_keys_fail(machine: Machine) -> None:
    machine.env["AWS_ACCESS_KEY_ID"] = access_key_id()
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY" in result.message


def test_env_keys_shadowing_aws_profile_warn(machine: Machine) -> None:
    aws_config(machine, "[profile dev]\nregion = us-west-2\n")
    machine.env["AWS_ACCESS_KEY_ID"] = access_key_id()
    machine.env["AWS_SECRET_ACCESS_KEY"] = secret_access_key()
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "AWS_PROFILE=dev is ignored" in result.message


def test_temporary_key_without_session_token_fails(machine: Machine) -> None:
    machine.env["AWS_ACCESS_KEY_ID"] = access_key_id("ASIA")
    machine.env["AWS_SECRET_ACCESS_KEY"] = secret_access_key()
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "AWS_SESSION_TOKEN is not set" in result.message


def test_long_term_key_with_a_left_over_session_token_warns(machine: Machine) -> None:
    machine.env["AWS_ACCESS_KEY_ID"] = access_key_id("AKIA")
    machine.env["AWS_SECRET_ACCESS_KEY"] = secret_access_key()
    machine.env["AWS_SESSION_TOKEN"] = secrets.token_urlsafe(100)
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert result.fix is not None and result.fix.commands == ("unset AWS_SESSION_TOKEN",)


def test_key_id_of_the_wrong_shape_warns(machine: Machine) -> None:
    machine.env["AWS_ACCESS_KEY_ID"] = secret_access_key()
    machine.env["AWS_SECRET_ACCESS_KEY"] = secret_access_key()
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "does not look like an access key id" in result.message


# --- profiles ------------------------------------------------------------------------------------


def test_missing_profile_fails_and_lists_the_ones_that_exist(machine: Machine) -> None:
    aws_config(machine, "[profile dev]\nregion = us-west-2\n[profile prod]\nregion = us-east-1\n")
    machine.env["AWS_PROFILE"] = "staging"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "The config profile (staging) could not be found" in result.message
    assert result.fix is not None
    assert "dev, prod" in result.fix.text
    assert "export AWS_PROFILE=dev" in result.fix.commands


def test_static_keys_in_the_credentials_file_pass(machine: Machine) -> None:
    secret = secret_access_key()
    aws_credentials(
        machine,
        f"[work]\naws_access_key_id = {access_key_id()}\naws_secret_access_key = {secret}\n",
    )
    machine.env["AWS_PROFILE"] = "work"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "shared-credentials-file"
    assert "profile 'work'" in result.message
    assert secret not in dump(result)


def test_half_a_key_pair_in_the_credentials_file_fails(machine: Machine) -> None:
    aws_credentials(machine, f"[default]\naws_access_key_id = {access_key_id()}\n")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "has no aws_secret_access_key" in result.message


def test_static_keys_in_the_config_file_pass(machine: Machine) -> None:
    aws_config(
        machine,
        f"[default]\naws_access_key_id = {access_key_id()}\n"
        f"aws_secret_access_key = {secret_access_key()}\n",
    )
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "config-file"


def test_sso_login_that_is_valid_passes(machine: Machine) -> None:
    machine.install("aws_sso")
    sso_cache(machine, "corp", NOW + timedelta(hours=6))
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "sso"
    assert "(valid until" in result.message


def test_expired_sso_login_fails_with_the_login_command(machine: Machine) -> None:
    machine.install("aws_sso")
    sso_cache(machine, "corp", NOW - timedelta(hours=2))
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "expired" in result.message
    assert known.AWS_SSO_EXPIRED in result.message
    assert result.fix is not None
    assert result.fix.commands == ("aws sso login --profile dev",)
    assert result.fix.snippet is not None and "awsAuthRefresh" in result.fix.snippet


def test_expired_sso_token_with_a_refresh_token_only_warns(machine: Machine) -> None:
    machine.install("aws_sso")
    later = (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sso_cache(
        machine,
        "corp",
        NOW - timedelta(minutes=5),
        refreshToken=secrets.token_urlsafe(40),
        registrationExpiresAt=later,
    )
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "refresh token" in result.message


def test_sso_login_expiring_soon_warns(machine: Machine) -> None:
    machine.install("aws_sso")
    sso_cache(machine, "corp", datetime.now(tz=UTC) + timedelta(minutes=12))
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "expires in" in result.message


def test_sso_profile_without_a_cached_login_fails(machine: Machine) -> None:
    machine.install("aws_sso")
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "no cached SSO login" in result.message


def test_legacy_sso_profile_is_cached_under_its_start_url(machine: Machine) -> None:
    url = "https://legacy.awsapps.com/start"
    aws_config(
        machine,
        f"[profile old]\nsso_start_url = {url}\nsso_region = us-east-1\n"
        "sso_account_id = 111122223333\nsso_role_name = Admin\n",
    )
    sso_cache(machine, url, NOW - timedelta(hours=1), refreshToken="ignored-for-legacy")
    machine.env["AWS_PROFILE"] = "old"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL  # legacy profiles cannot refresh
    assert "aws sso login --profile old" in (result.fix.commands if result.fix else ())


def test_sso_session_that_is_not_defined_fails(machine: Machine) -> None:
    aws_config(
        machine, "[profile dev]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n"
    )
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "sso_session 'nope'" in result.message


def test_sso_profile_without_a_role_fails(machine: Machine) -> None:
    sso_profile = machine_file("aws_sso", "home/.aws/config")
    aws_config(machine, sso_profile.replace("sso_role_name = Developer\n", ""))
    sso_cache(machine, "corp", NOW + timedelta(hours=6))
    machine.env["AWS_PROFILE"] = "dev"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "lacks sso_role_name" in result.message


def test_assumed_role_from_a_profile_with_keys_passes(machine: Machine) -> None:
    machine.install(
        "aws_assume_role", access_key_id=access_key_id(), secret_access_key=secret_access_key()
    )
    machine.env["AWS_PROFILE"] = "bedrock"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "assume-role"
    assert result.details["source_profiles"] == ["base"]


def test_assumed_role_whose_source_profile_is_missing_fails(machine: Machine) -> None:
    aws_config(machine, "[profile role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = gone\n")
    machine.env["AWS_PROFILE"] = "role"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "source_profile 'gone'" in result.message


def test_assumed_role_inherits_an_expired_sso_source(machine: Machine) -> None:
    aws_config(
        machine,
        machine_file("aws_sso", "home/.aws/config")
        + "[profile role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = dev\n",
    )
    sso_cache(machine, "corp", NOW - timedelta(hours=3))
    machine.env["AWS_PROFILE"] = "role"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and "aws sso login --profile dev" in result.fix.commands


def test_assumed_role_with_an_unknown_credential_source_fails(machine: Machine) -> None:
    aws_config(machine, "[default]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Laptop\n")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "credential_source = Laptop" in result.message


def test_role_arn_alone_warns_and_finds_no_credentials(machine: Machine) -> None:
    aws_config(machine, "[default]\nrole_arn = arn:aws:iam::1:role/x\n")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert any("neither source_profile nor credential_source" in m for m in messages(result))


def test_web_identity_with_a_token_file_passes(machine: Machine) -> None:
    token = machine.write(machine.root / "token", "eyJ...")
    machine.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(token)
    machine.env["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/ci"
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "assume-role-with-web-identity"


def test_web_identity_with_a_missing_token_file_fails(machine: Machine) -> None:
    machine.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(machine.root / "missing-token")
    machine.env["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/ci"
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "web identity token file" in result.message


def test_credential_process_with_a_missing_program_fails(machine: Machine) -> None:
    aws_config(machine, "[default]\ncredential_process = /opt/nowhere/get-creds --json\n")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert "/opt/nowhere/get-creds" in result.message


def test_credential_process_that_exists_passes_unrun(machine: Machine) -> None:
    marker = machine.root / "ran"
    program = machine.write(machine.home / "bin" / "creds", f"#!/bin/sh\ntouch {marker}\n")
    program.chmod(0o755)
    aws_config(machine, "[default]\ncredential_process = ~/bin/creds\n")
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "custom-process"
    assert not marker.exists()


def test_aws_login_session_passes(machine: Machine) -> None:
    aws_config(machine, "[default]\nlogin_session = arn:aws:iam::1:user/me\n")
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "login"


def test_aws_credential_export_setting_wins_over_the_chain(machine: Machine) -> None:
    machine.user_settings({"awsCredentialExport": "aws configure export-credentials"})
    result = machine.check(CHECK)
    assert result.status is Status.PASS
    assert result.details["method"] == "aws-credential-export"


def test_unreadable_config_file_fails(machine: Machine) -> None:
    aws_config(machine, "region = us-west-2\n[default\n")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert any("cannot read this file" in m for m in messages(result))


# --- nothing found -------------------------------------------------------------------------------


def test_no_credentials_at_all_fails_with_the_clients_message(machine: Machine) -> None:
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert known.AWS_NO_CREDENTIALS in result.message
    assert "3 minutes" in result.message
    assert result.fix is not None and "aws configure" in result.fix.commands


def test_no_credentials_suggests_a_profile_that_exists(machine: Machine) -> None:
    machine.install("aws_sso")
    result = machine.check(CHECK)
    assert result.status is Status.FAIL
    assert result.fix is not None and "export AWS_PROFILE=dev" in result.fix.commands


def test_container_credentials_cannot_be_judged_offline(machine: Machine) -> None:
    machine.env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc"
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert "could not tell offline" in result.message
    assert result.details["method"] == "container-role"


def test_instance_role_on_ec2_cannot_be_judged_offline(machine: Machine, tmp_path: Path) -> None:
    (tmp_path / "dmi" / "sys_vendor").write_text("Amazon EC2\n")
    result = machine.check(CHECK)
    assert result.status is Status.WARN
    assert result.details["method"] == "iam-role"


def test_instance_role_is_not_assumed_when_imds_is_disabled(
    machine: Machine, tmp_path: Path
) -> None:
    (tmp_path / "dmi" / "sys_vendor").write_text("Amazon EC2\n")
    machine.env["AWS_EC2_METADATA_DISABLED"] = "true"
    assert machine.check(CHECK).status is Status.FAIL


def test_not_run_for_other_providers(machine: Machine) -> None:
    del machine.env["CLAUDE_CODE_USE_BEDROCK"]
    assert machine.check(CHECK).status is Status.SKIP
