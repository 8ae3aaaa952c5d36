"""Whatever the settings files and variables hold, the run completes with a valid report."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ccdoctor.cli import app
from tests.schema import validate_report

INTERESTING_VARIABLES = (
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_CUSTOM_HEADERS",
    "AWS_REGION",
    "AWS_PROFILE",
    "CLOUD_ML_REGION",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "HTTPS_PROXY",
    "NO_PROXY",
    "NODE_EXTRA_CA_CERTS",
    "DISABLE_PROMPT_CACHING",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
    "CLAUDE_CONFIG_DIR",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)
ODD_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            " ",
            "\r\n",
            "\x00",
            "'quoted'",
            '"quoted"',
            "yes please",
            "ｈｔｔｐｓ://example.com",  # full-width look-alikes
            "https://exam\u200bple.com",
            "http://[::1",
            "us-east-1\n",
            "claude-opus-4-8[1m]",
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "arn:aws:bedrock:us-east-1:123:application-inference-profile/%2Fx",
            "~/nope.pem",
            "~0",
            "~nosuchuser/x",
            "/dev/null",
            "*",
            "x" * 5000,
        ]
    ),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
SETTINGS_OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        "env": st.one_of(
            st.dictionaries(st.sampled_from(INTERESTING_VARIABLES), ODD_TEXT | JSON_VALUES),
            JSON_VALUES,
        ),
        "model": JSON_VALUES,
        "modelOverrides": JSON_VALUES,
        "apiKeyHelper": st.one_of(JSON_VALUES, st.just("exit 3"), st.just("echo")),
        "permissions": JSON_VALUES,
        "modle": JSON_VALUES,
    },
)


def _raw_file(data: Any) -> st.SearchStrategy[bytes]:
    text = json.dumps(data)
    return st.sampled_from(
        [
            text.encode(),
            b"\xef\xbb\xbf" + text.encode(),
            ("// comment\n" + text).encode(),
            text.encode()[:-1] + b",}",
            b"\xff\xfe" + text.encode(),
            b"[" * 5000,
            b"",
        ]
    )


FILES = SETTINGS_OBJECTS.flatmap(
    lambda data: st.one_of(st.just(json.dumps(data).encode()), _raw_file(data))
)


EMPTY = b"{}"
UNEXPANDABLE_HOMES = [
    # Path.expanduser raises RuntimeError for these; Node opens them as literal paths.
    {"GOOGLE_APPLICATION_CREDENTIALS": "~0"},
    {"GOOGLE_APPLICATION_CREDENTIALS": "~0", "CLAUDE_CODE_USE_VERTEX": "1"},
    {"CLAUDE_CONFIG_DIR": "~nosuchuser"},
    {"CLOUDSDK_CONFIG": "~nosuchuser", "CLAUDE_CODE_USE_VERTEX": "1"},
    {
        "AWS_WEB_IDENTITY_TOKEN_FILE": "~nosuchuser/token",
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
        "CLAUDE_CODE_USE_BEDROCK": "1",
    },
]


def _with_examples(test: Any) -> Any:
    for shell in UNEXPANDABLE_HOMES:
        test = example(user=EMPTY, project=EMPTY, managed=EMPTY, shell=shell)(test)
    in_settings = json.dumps({"env": UNEXPANDABLE_HOMES[1]}).encode()
    return example(user=in_settings, project=EMPTY, managed=EMPTY, shell={})(test)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@_with_examples
@given(
    user=FILES,
    project=FILES,
    managed=FILES,
    shell=st.dictionaries(
        st.sampled_from(INTERESTING_VARIABLES),
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
        ),
    ),
)
def test_any_input_gives_a_valid_report_and_no_traceback(
    user: bytes, project: bytes, managed: bytes, shell: dict[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, content in (
            (root / "home" / ".claude" / "settings.json", user),
            (root / "project" / ".claude" / "settings.json", project),
            (root / "managed.json", managed),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        env = {"HOME": str(root / "home"), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env.update(shell)
        result = CliRunner().invoke(
            app,
            [
                "--offline",
                "--format",
                "json",
                "--timeout",
                "1",
                "--managed-settings",
                str(root / "managed.json"),
                "--project-dir",
                str(root / "project"),
            ],
            env=env,
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert result.exit_code in (0, 1), result.output
        report = json.loads(result.stdout)
        validate_report(report)
        assert all(check["status"] != "error" for check in report["checks"]), [
            (c["id"], c["message"]) for c in report["checks"] if c["status"] == "error"
        ]
