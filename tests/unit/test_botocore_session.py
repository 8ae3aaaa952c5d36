"""The botocore Session that reads the configuration under diagnosis, not os.environ.

Its overrides are private botocore methods: if a botocore release renames one, the override
silently stops applying and botocore reads os.environ again. These tests fail loudly instead.
"""

from __future__ import annotations

from pathlib import Path

import botocore.credentials
import botocore.session
import pytest

from ccdoctor.net.settings import NetworkSettings
from ccdoctor.providers.bedrock.botocore_session import SessionInputs, effective_session

OVERRIDDEN = (
    (botocore.session.Session, "_register_config_store"),
    (botocore.session.Session, "_add_configured_endpoint_provider"),
    (botocore.session.Session, "_create_token_resolver"),
    (botocore.session.Session, "_create_credential_resolver"),
    (botocore.credentials.ProfileProviderBuilder, "_create_web_identity_provider"),
    (botocore.credentials.ProfileProviderBuilder, "_create_process_provider"),
    (botocore.credentials.AssumeRoleWithWebIdentityProvider, "_get_env_config"),
)


@pytest.mark.parametrize(("owner", "name"), OVERRIDDEN, ids=[n for _, n in OVERRIDDEN])
def test_every_overridden_botocore_method_still_exists(owner: type, name: str) -> None:
    assert callable(getattr(owner, name, None)), (
        f"botocore {botocore.__version__} has no {owner.__name__}.{name}: "
        "botocore_session.py must follow the new internals before the pin moves"
    )


def inputs(tmp_path: Path, environ: dict[str, str]) -> SessionInputs:
    # Empty files, so nothing but the given environment can supply credentials.
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")
    base = {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return SessionInputs(
        region="us-east-1",
        environ={**base, **environ},
        network=NetworkSettings(),
        timeout=2.0,
        sso_cache=str(tmp_path / "sso"),
        login_cache=str(tmp_path / "login"),
    )


def test_credentials_come_from_the_given_environment_not_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPROCESSENV000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "process-secret")
    given = {"AWS_ACCESS_KEY_ID": "AKIADIAGNOSED0000000", "AWS_SECRET_ACCESS_KEY": "given"}
    credentials = effective_session(inputs(tmp_path, given)).get_credentials()
    assert credentials is not None
    assert credentials.get_frozen_credentials().access_key == "AKIADIAGNOSED0000000"


def test_keys_only_in_the_process_environment_are_not_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPROCESSENV000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "process-secret")
    assert effective_session(inputs(tmp_path, {})).get_credentials() is None


def test_an_endpoint_variable_of_the_process_does_not_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    session = effective_session(inputs(tmp_path, {}))
    client = session.create_client("sts", region_name="eu-west-1")
    assert client.meta.endpoint_url == "https://sts.eu-west-1.amazonaws.com"


def test_settings_come_from_the_given_environment_not_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    session = effective_session(inputs(tmp_path, {"AWS_DEFAULT_REGION": "eu-central-1"}))
    assert session.get_config_variable("region") == "eu-central-1"
