"""Every profile and sso-session in the AWS shared files, for following one profile to another
(source_profile, sso_session) without importing botocore."""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ccdoctor.config.aws_files import AwsFiles

_PROFILE_PREFIX = "profile "
_SSO_SESSION_PREFIX = "sso-session "


@dataclass(frozen=True)
class AwsProfiles:
    """Every profile and sso-session section of the AWS credentials and config files."""

    credentials: Mapping[str, Mapping[str, str]]
    """Profile name → keys, from the shared credentials file."""
    config: Mapping[str, Mapping[str, str]]
    """Profile name → keys, from the config file (`[profile x]`, or `[default]`)."""
    sso_sessions: Mapping[str, Mapping[str, str]]

    def names(self) -> list[str]:
        return sorted(set(self.credentials) | set(self.config))

    def exists(self, name: str) -> bool:
        return name in self.credentials or name in self.config

    def merged(self, name: str) -> dict[str, str]:
        """The profile as the SDK sees it: the credentials file beats the config file."""
        return {**self.config.get(name, {}), **self.credentials.get(name, {})}


def read_aws_profiles(files: AwsFiles) -> AwsProfiles:
    credentials = _sections(files.credentials_path)
    config: dict[str, dict[str, str]] = {}
    sessions: dict[str, dict[str, str]] = {}
    for section, keys in _sections(files.config_path).items():
        if section.startswith(_PROFILE_PREFIX):
            config[section[len(_PROFILE_PREFIX) :].strip()] = keys
        elif section.startswith(_SSO_SESSION_PREFIX):
            sessions[section[len(_SSO_SESSION_PREFIX) :].strip()] = keys
        elif section == "default":
            config.setdefault("default", keys)
    return AwsProfiles(credentials, config, sessions)


def _sections(path: Path) -> dict[str, dict[str, str]]:
    """Unreadable files read as empty: AwsFiles already reports why."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        if not path.is_file():
            return {}
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"), str(path))
    except (OSError, configparser.Error):
        return {}
    return {
        section: {key: value.strip() for key, value in parser.items(section)}
        for section in parser.sections()
    }
