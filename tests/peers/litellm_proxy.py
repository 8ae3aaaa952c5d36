"""A real LiteLLM proxy (subprocess) routing to a FakeAnthropic upstream.

The venv comes from tests/peers/install_litellm.sh; LiteLLM is far too heavy for ccdoctor's own
venv. One proxy carries every model a test needs, including one whose upstream is a closed port,
because each start costs ~5 s of a core.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.peers.fake_anthropic import Behaviour, FakeAnthropic
from tests.peers.ports import LOOPBACK, free_port, stop_process_group

REPO = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = "tests/peers/install_litellm.sh"
MASTER_KEY = "sk-test-master-1234"
"""Accepted by LiteLLM; the well-known `sk-1234` is refused at startup."""
UPSTREAM_API_KEY = "sk-ant-upstream-fake"
"""What LiteLLM sends upstream, both for routed models and the /anthropic pass-through."""
UPSTREAM_BEHAVIOUR = Behaviour(api_keys=frozenset({UPSTREAM_API_KEY}), bearer_tokens=frozenset())
"""Give the upstream FakeAnthropic this, so it accepts exactly what LiteLLM sends."""
GATEWAY_MODELS = (
    "claude-sonnet-4-5",
    "claude-opus-4-8",
    "claude-opus-5-5",
    "claude-haiku-4-5-20251001",
)
"""Served and routed to the fake upstream as `anthropic/<same id>`."""
DOWN_MODEL = "claude-upstream-down"
"""Served, but routed to a closed port: the "gateway up, its upstream down" case."""
STARTUP_TIMEOUT = 60.0

_STRIPPED_ENV_PREFIXES = ("ANTHROPIC_", "LITELLM_", "AWS_", "GOOGLE_", "VERTEX")
_STRIPPED_ENV = {"DATABASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}


def litellm_venv() -> Path:
    peers_dir = os.environ.get("CCDOCTOR_PEERS_DIR") or str(REPO / ".peers")
    return Path(peers_dir) / "litellm-venv"


def missing_reason() -> str | None:
    """Why the LiteLLM peer cannot run here, or None when it can."""
    venv = litellm_venv()
    if (venv / "bin" / "litellm").is_file() and (venv / ".ccdoctor-requirements").is_file():
        return None
    return f"LiteLLM venv missing: run {INSTALL_SCRIPT} (make test does)"


@dataclass(frozen=True)
class LiteLLMProxy:
    url: str
    pid: int
    upstream: FakeAnthropic
    log_path: Path
    master_key: str = MASTER_KEY
    models: tuple[str, ...] = GATEWAY_MODELS
    down_model: str = DOWN_MODEL

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def proxy_config(upstream_url: str, down_url: str) -> dict[str, object]:
    def route(name: str, api_base: str) -> dict[str, object]:
        return {
            "model_name": name,
            "litellm_params": {
                "model": f"anthropic/{name}",
                "api_key": UPSTREAM_API_KEY,
                "api_base": api_base,
            },
        }

    return {
        "model_list": [route(m, upstream_url) for m in GATEWAY_MODELS]
        + [route(DOWN_MODEL, down_url)],
        # No retries: a dead upstream should fail in one attempt, not after several.
        "litellm_settings": {"num_retries": 0, "request_timeout": 20},
        # No cooldown: by default one upstream failure makes the router answer 429 "No
        # deployments available" for that model for 5 s, leaking one test's failure into the next.
        "router_settings": {"num_retries": 0, "disable_cooldowns": True},
        "general_settings": {"master_key": MASTER_KEY},
    }


def proxy_environment(upstream_url: str) -> dict[str, str]:
    """The developer's environment minus anything that would change LiteLLM's behaviour."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.upper() not in _STRIPPED_ENV and not name.upper().startswith(_STRIPPED_ENV_PREFIXES)
    }
    env.update(
        # Otherwise it fetches the model cost map from the internet at import time.
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        # Otherwise it load_dotenv()s whatever .env sits in its working directory.
        LITELLM_MODE="PRODUCTION",
        ANTHROPIC_API_BASE=upstream_url,
        ANTHROPIC_API_KEY=UPSTREAM_API_KEY,
        NO_PROXY="*",
    )
    return env


@contextmanager
def running_litellm(workdir: Path, upstream: FakeAnthropic) -> Iterator[LiteLLMProxy]:
    """Start LiteLLM in front of `upstream`; stop it by its PID's process group on exit."""
    if reason := missing_reason():
        raise RuntimeError(reason)
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "litellm-config.yaml"
    # JSON is YAML, and ccdoctor's venv has no YAML writer.
    config_path.write_text(
        json.dumps(proxy_config(upstream.url, f"http://{LOOPBACK}:{free_port()}"), indent=2)
    )
    port = free_port()
    log_path = workdir / "litellm.log"
    command = [
        str(litellm_venv() / "bin" / "litellm"),
        "--config",
        str(config_path),
        "--host",
        LOOPBACK,
        "--port",
        str(port),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=proxy_environment(upstream.url),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proxy = LiteLLMProxy(f"http://{LOOPBACK}:{port}", process.pid, upstream, log_path)
    try:
        _wait_until_alive(process, proxy)
        yield proxy
    finally:
        stop_process_group(process, signal.SIGTERM, grace=10.0)


def _wait_until_alive(process: subprocess.Popen[bytes], proxy: LiteLLMProxy) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"LiteLLM exited with {process.returncode} during startup:\n{proxy.log_tail()}"
            )
        try:
            with opener.open(f"{proxy.url}/health/liveliness", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"LiteLLM not alive after {STARTUP_TIMEOUT:.0f} s:\n{proxy.log_tail()}")
