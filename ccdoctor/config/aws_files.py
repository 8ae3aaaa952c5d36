"""Reading the AWS shared credentials and config files without importing boto3."""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AwsFiles:
    """The AWS profile in use and its sections of the shared credentials and config files, with any
    errors reading them."""

    profile: str
    profile_from_env: bool
    credentials_path: Path
    config_path: Path
    credentials: Mapping[str, str] | None
    """The profile's section in the credentials file, or None when absent."""
    config: Mapping[str, str] | None
    """The profile's section in the config file, or None when absent."""
    errors: tuple[str, ...] = ()


def read_aws_files(env: Mapping[str, str], home: Path) -> AwsFiles:
    profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    credentials_path = Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials")
    config_path = Path(env.get("AWS_CONFIG_FILE") or home / ".aws" / "config")
    errors: list[str] = []
    credentials = _section(credentials_path, profile, errors)
    config_section = profile if profile == "default" else f"profile {profile}"
    config = _section(config_path, config_section, errors)
    return AwsFiles(
        profile=profile,
        profile_from_env=bool(env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")),
        credentials_path=credentials_path,
        config_path=config_path,
        credentials=credentials,
        config=config,
        errors=tuple(errors),
    )


def _section(path: Path, name: str, errors: list[str]) -> dict[str, str] | None:
    try:
        if not path.is_file():
            return None
        parser = configparser.RawConfigParser(strict=False)
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"), str(path))
    except (OSError, configparser.Error) as exc:
        errors.append(f"{path}: {str(exc).splitlines()[0]}")
        return None
    if not parser.has_section(name):
        return None
    return {key: value.strip() for key, value in parser.items(name)}
