"""Generated identifiers, placed in every source ccdoctor reads (the environment, settings files,
~/.aws/config and credentials, the SSO token cache, Google's credential file, a helper's
output), never survive `--anonymize` in any format; the same value always gets the same
placeholder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ccdoctor.cli import app
from tests.schema import validate_report

FORMATS = ("text", "json", "markdown", "junit", "github")
ROUTES = ("bedrock", "vertex", "foundry", "gateway")

# "zq" starts no word ccdoctor prints, so a hit is a leak and never a coincidence.
_NAME = st.from_regex(r"zq[a-z]{3,6}[0-9]{2,4}", fullmatch=True)
_ACCOUNT = st.from_regex(r"[1-9][0-9]{11}", fullmatch=True)


@dataclass(frozen=True)
class Identifiers:
    user: str
    profile: str
    role_profile: str
    session: str
    role: str
    assumed_role: str
    account: str
    role_account: str
    sso_host: str
    gateway_host: str
    proxy_host: str
    no_proxy_host: str
    project: str
    quota_project: str
    client_id: str
    mail_user: str
    mail_domain: str
    resource: str
    inference_profile: str
    helper_host: str

    def values(self) -> list[str]:
        return list(self.__dict__.values())


@st.composite
def identifiers(draw: st.DrawFn) -> Identifiers:
    names = draw(st.lists(_NAME, min_size=18, max_size=18, unique=True))
    accounts = draw(st.lists(_ACCOUNT, min_size=2, max_size=2, unique=True))
    fields = [f for f in Identifiers.__dataclass_fields__ if f not in ("account", "role_account")]
    values = dict(zip(fields, names, strict=True))
    return Identifiers(account=accounts[0], role_account=accounts[1], **values)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lay_out(root: Path, ids: Identifiers, route: str) -> dict[str, str]:
    """A machine whose every source names the identifiers; returns the shell environment."""
    home = root / "home" / ids.user
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_PROFILE": ids.profile,
        "HTTPS_PROXY": f"http://{ids.proxy_host}.corp:3128",
        "NO_PROXY": f"localhost,.{ids.no_proxy_host}.internal",
        "ANTHROPIC_VERTEX_PROJECT_ID": ids.project,
        "CLOUD_ML_REGION": "us-east5",
    }
    flags = {
        "bedrock": {"CLAUDE_CODE_USE_BEDROCK": "1"},
        "vertex": {"CLAUDE_CODE_USE_VERTEX": "1"},
        "foundry": {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": ids.resource},
        "gateway": {"ANTHROPIC_BASE_URL": f"https://{ids.gateway_host}.corp/anthropic"},
    }
    env.update(flags[route])
    helper = _write(
        home / "bin" / "get-key",
        f"#!/bin/sh\necho 'denied for {ids.mail_user}@{ids.mail_domain}.com on "
        f"https://{ids.helper_host}.corp/vault account {ids.account}' >&2\nexit 1\n",
    )
    helper.chmod(0o755)
    model = (
        f"arn:aws:bedrock:us-east-1:{ids.account}:application-inference-profile/"
        f"{ids.inference_profile}"
    )
    _write(
        home / ".claude" / "settings.json",
        json.dumps(
            {
                "apiKeyHelper": str(helper),
                "env": {
                    "ANTHROPIC_MODEL": model,
                    "AWS_ROLE_ARN": f"arn:aws:iam::{ids.role_account}:role/{ids.assumed_role}",
                },
            }
        ),
    )
    _write(
        home / ".aws" / "config",
        f"[profile {ids.profile}]\nsso_session = {ids.session}\nsso_account_id = {ids.account}\n"
        f"sso_role_name = {ids.role}\nregion = us-east-1\n\n"
        f"[profile {ids.role_profile}]\nrole_arn = arn:aws:iam::{ids.role_account}:role/"
        f"{ids.assumed_role}\nsource_profile = {ids.profile}\n\n"
        f"[sso-session {ids.session}]\nsso_start_url = https://{ids.sso_host}.awsapps.com/start\n"
        "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
    )
    _write(
        home / ".aws" / "credentials",
        f"[{ids.role_profile}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    digest = hashlib.sha1(ids.session.encode()).hexdigest()
    _write(
        home / ".aws" / "sso" / "cache" / f"{digest}.json",
        json.dumps(
            {
                "startUrl": f"https://{ids.sso_host}.awsapps.com/start",
                "region": "us-east-1",
                "accessToken": "aoa-token",
                "expiresAt": "2020-01-01T00:00:00Z",
            }
        ),
    )
    _write(
        home / ".config" / "gcloud" / "application_default_credentials.json",
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": f"{ids.client_id}.apps.googleusercontent.com",
                "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty",
                "refresh_token": "1//0refresh",
                "quota_project_id": ids.quota_project,
                "account": f"{ids.mail_user}@{ids.mail_domain}.com",
            }
        ),
    )
    (root / "project").mkdir(parents=True, exist_ok=True)
    return env


def outputs(
    root: Path, env: dict[str, str], live: bool = False, anonymize: bool = True
) -> list[str]:
    runner = CliRunner()
    hide = ["--anonymize"] if anonymize else []
    base = [
        *([] if live else ["--offline"]),
        *hide,
        "--managed-settings",
        str(root / "managed.json"),
        "--claude-version",
        "2.1.332",
        "--project-dir",
        str(root / "project"),
        "--timeout",
        "2",
    ]
    texts = []
    for fmt in FORMATS if not live else ("text", "json"):
        out_file = root / f"report.{fmt}"
        result = runner.invoke(
            app, [*base, "--format", fmt, "--output", str(out_file), "-v"], env=env
        )
        assert result.exit_code in (0, 1), result.output
        written = out_file.read_text(encoding="utf-8")
        texts += [result.output, written]
        if fmt == "json":
            validate_report(json.loads(written))
    for fmt in ("text", "json"):
        result = runner.invoke(
            app,
            [
                "config",
                *hide,
                "--format",
                fmt,
                "--managed-settings",
                str(root / "managed.json"),
                "--project-dir",
                str(root / "project"),
            ],
            env=env,
        )
        assert result.exit_code == 0, result.output
        texts.append(result.output)
    return texts


def survivors(ids: Identifiers, texts: list[str]) -> list[str]:
    return [value for value in ids.values() for text in texts if value.lower() in text.lower()]


@contextmanager
def sandbox() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ids=identifiers(), route=st.sampled_from(ROUTES))
def test_no_identifier_survives_anonymize_in_any_format(ids: Identifiers, route: str) -> None:
    with sandbox() as root:
        texts = outputs(root, lay_out(root, ids, route))
    assert not survivors(ids, texts), sorted(set(survivors(ids, texts)))


FIXED = Identifiers(
    **{
        name: f"zq{name.replace('_', '')[:6]}{index:02d}"
        for index, name in enumerate(Identifiers.__dataclass_fields__)
    }
    | {"account": "123456789012", "role_account": "210987654321"}
)


def test_a_value_keeps_one_placeholder_in_every_format() -> None:
    """The profile is named by AWS_PROFILE, a config section and a source_profile; whichever
    format and place, it is the same placeholder, and the other profile gets another."""
    with sandbox() as root:
        texts = outputs(root, lay_out(root, FIXED, "bedrock"))
        report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    config = {entry["name"]: entry["value"] for entry in report["config"]}
    placeholder = config["AWS_PROFILE"]
    assert re.fullmatch(r"<profile-\d+>", placeholder), placeholder
    assert placeholder in texts[0]  # the text report's terminal copy
    assert placeholder in texts[3]  # the JSON file
    assert config["ANTHROPIC_VERTEX_PROJECT_ID"] != placeholder
    accounts = set(re.findall(r"<account-\d+>", texts[3]))
    assert len(accounts) == 2, accounts


def test_the_identifiers_do_reach_a_plain_report() -> None:
    """Without --anonymize the set-up's identifiers are in the reports (the issue's SSO start URL
    and session among them), so the property above is not met by a report that omits them."""
    shown: set[str] = set()
    for route in ("bedrock", "gateway"):
        with sandbox() as root:
            texts = outputs(root, lay_out(root, FIXED, route), anonymize=False)
        shown |= {name for name, value in FIXED.__dict__.items() if any(value in t for t in texts)}
    assert shown >= {
        "user",
        "profile",
        "session",
        "sso_host",
        "account",
        "assumed_role",
        "project",
        "gateway_host",
        "proxy_host",
        "no_proxy_host",
        "mail_user",
        "mail_domain",
        "helper_host",
    }, shown
