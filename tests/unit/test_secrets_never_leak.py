"""Generated secrets, placed wherever a secret can live, never reach any output of any format."""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ccdoctor.cli import app
from ccdoctor.config.redaction import redactor_for
from tests.machine import Machine
from tests.schema import validate_report

_ALPHABET = string.ascii_letters + string.digits

SECRET_VARIABLES = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "ANTHROPIC_FOUNDRY_API_KEY",
)
PLACES = ("shell", "user", "project", "local", "managed", "cli")
FORMATS = ("text", "json", "markdown", "junit", "github")


def secret_strategy(escapes: bool = False) -> st.SearchStrategy[str]:
    """Real-looking secrets; with `escapes`, also ones holding a quote and a backslash, which
    reach a JSON report escaped (so the raw value alone would not show a leak)."""
    body = st.text(_ALPHABET + "-_", min_size=20, max_size=60)
    shapes = [
        body.map(lambda b: "sk-ant-api03-" + b),
        body.map(lambda b: "sk-ant-oat01-" + b),
        body.map(lambda b: "ABSK" + b),
        body.map(lambda b: "bedrock-api-key-" + b),
        st.text(_ALPHABET, min_size=40, max_size=40),
        body,
    ]
    if escapes:
        shapes.append(body.map(lambda b: b[:8] + '"' + b[8:16] + "\\" + b[16:]))
    return st.one_of(*shapes)


def leaked(secret: str, text: str) -> bool:
    return any(form in text for form in (secret, json.dumps(secret)[1:-1]))


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _outputs(root: Path, env: dict[str, str], extra: list[str]) -> list[str]:
    runner = CliRunner()
    base = [
        "--offline",
        "--managed-settings",
        str(root / "managed.json"),
        "--claude-version",
        "2.1.240",
        "--project-dir",
        str(root / "project"),
        *extra,
    ]
    texts = []
    for fmt in FORMATS:
        for verbose in ([], ["-v"]):
            out_file = root / f"report.{fmt}"
            result = runner.invoke(
                app, [*base, "--format", fmt, "--output", str(out_file), *verbose], env=env
            )
            assert result.exit_code in (0, 1), result.output
            texts += [result.output, out_file.read_text(encoding="utf-8")]
            if fmt == "json":
                validate_report(json.loads(out_file.read_text(encoding="utf-8")))
    for fmt in ("text", "json"):
        result = runner.invoke(
            app,
            [
                "config",
                "--format",
                fmt,
                "--managed-settings",
                str(root / "managed.json"),
                "--project-dir",
                str(root / "project"),
                *extra,
            ],
            env=env,
        )
        assert result.exit_code == 0, result.output
        texts.append(result.output)
    return texts


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    secrets=st.lists(
        secret_strategy(escapes=True),
        min_size=2 * len(SECRET_VARIABLES),
        max_size=2 * len(SECRET_VARIABLES),
        unique=True,
    ),
    places=st.lists(
        st.sampled_from(PLACES),
        min_size=2 * len(SECRET_VARIABLES),
        max_size=2 * len(SECRET_VARIABLES),
    ),
    helper_secret=secret_strategy(),
    header_secret=secret_strategy(),
    proxy_password=st.text(_ALPHABET, min_size=12, max_size=30),
)
def test_no_secret_reaches_any_output(
    secrets: list[str],
    places: list[str],
    helper_secret: str,
    header_secret: str,
    proxy_password: str,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        blocks: dict[str, dict[str, str]] = {place: {} for place in PLACES}
        # Each variable in two places where they differ: one value shadows the other.
        placed: list[str] = []
        for index, (secret, place) in enumerate(zip(secrets, places, strict=True)):
            variable = SECRET_VARIABLES[index % len(SECRET_VARIABLES)]
            target = env if place == "shell" else blocks[place]
            if variable in target:
                continue
            target[variable] = secret
            placed.append(secret)
        helper = root / "helper.sh"
        helper.write_text(f"#!/bin/sh\necho '{helper_secret}'\n", encoding="utf-8")
        helper.chmod(0o755)
        blocks["user"]["ANTHROPIC_CUSTOM_HEADERS"] = f"X-Gateway-Key: {header_secret}"
        blocks["user"]["HTTPS_PROXY"] = f"http://corp:{proxy_password}@127.0.0.1:9"
        _write(
            home / ".claude" / "settings.json", {"env": blocks["user"], "apiKeyHelper": str(helper)}
        )
        _write(root / "project" / ".claude" / "settings.json", {"env": blocks["project"]})
        _write(root / "project" / ".claude" / "settings.local.json", {"env": blocks["local"]})
        _write(root / "managed.json", {"env": blocks["managed"]})
        cli_file = _write(root / "cli.json", {"env": blocks["cli"]})

        outputs = _outputs(root, env, ["--settings", str(cli_file)])

        for text in outputs:
            for secret in [*placed, helper_secret, header_secret, proxy_password]:
                assert not leaked(secret, text), secret


def test_a_service_account_private_key_never_reaches_any_output() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    body_lines = [line for line in pem.splitlines() if "-----" not in line]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        (root / "project").mkdir()
        key_file = _write(
            root / "sa.json",
            {
                "type": "service_account",
                "project_id": "leak-test",
                "private_key_id": "0123456789abcdef0123456789abcdef01234567",
                "private_key": pem,
                "client_email": "ccdoctor@leak-test.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": "http://127.0.0.1:9/token",
            },
        )
        env = {
            "HOME": str(root / "home"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CLAUDE_CODE_USE_VERTEX": "1",
            "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
            "ANTHROPIC_VERTEX_PROJECT_ID": "leak-test",
        }
        for text in _outputs(root, env, []):
            assert "BEGIN PRIVATE KEY" not in text
            for line in body_lines:
                assert line not in text
            assert "0123456789abcdef0123456789abcdef01234567" not in text


def test_the_run_redactor_knows_shadowed_secrets_in_every_escaped_form(machine: Machine) -> None:
    """A value shadowed by a stronger source is still a live credential somewhere (the user's
    shell, an old settings file), and a key with quotes or a backslash reaches text
    JSON-escaped (a server quoting the request); the redactor must find all of them, in any
    text a check might quote. The report's own config table fingerprints secrets by name, so
    this registration is what protects every other place a value can appear."""
    in_shell = "shell-key-" + "Ab3" * 10
    in_user_file = 'user"file\\key-' + "Cd4" * 10
    in_shell_header = "hdr-shell-" + "Ef5" * 10
    machine.env.update(
        ANTHROPIC_API_KEY=in_shell, ANTHROPIC_CUSTOM_HEADERS=f"X-Team: {in_shell_header}"
    )
    machine.user_settings(
        {
            "env": {
                "ANTHROPIC_API_KEY": "user-file-wins-" + "Gh6" * 10,
                "ANTHROPIC_AUTH_TOKEN": in_user_file,
                "ANTHROPIC_CUSTOM_HEADERS": "X-Team: hdr-user-wins-" + "Ij7" * 10,
            }
        }
    )
    machine.project_settings({"env": {"ANTHROPIC_AUTH_TOKEN": "project-wins-" + "Kl8" * 10}})
    config = machine.resolve()
    assert [v.raw for v in config.env["ANTHROPIC_API_KEY"].shadowed] == [in_shell]

    redactor = redactor_for(config)

    for secret in (in_shell, in_user_file, in_shell_header):
        # Reports are scrubbed before they are encoded, so one level of escaping is all a
        # scrubbed text can hold.
        for form in (secret, json.dumps(secret)[1:-1]):
            scrubbed = redactor.scrub(f'{{"error": "bad key {form} sent"}}')
            assert secret[-12:] not in scrubbed, (form, scrubbed)
            assert "<" in scrubbed


def test_each_custom_header_value_is_a_secret_whichever_way_the_lines_are_split(
    machine: Machine,
) -> None:
    """The client splits ANTHROPIC_CUSTOM_HEADERS at real newlines and at a literal `\\n` (a
    one-line shell export), so a gateway key in the second header is a value of its own that a
    server may quote without the first."""
    second = "gw-key-" + "Mn9" * 10
    machine.env["ANTHROPIC_CUSTOM_HEADERS"] = f"X-Team: core\\nX-Gateway-Key: {second}"

    scrubbed = redactor_for(machine.resolve()).scrub(f"401: key {second} refused")

    assert second[-12:] not in scrubbed and "<" in scrubbed
