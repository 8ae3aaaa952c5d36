"""The run's redactor, primed with every secret the configuration holds."""

from __future__ import annotations

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.redact import Redactor
from ccdoctor.core.secrets import is_secret_variable
from ccdoctor.knowledge.credentials import PRIMARY_API_KEY
from ccdoctor.knowledge.env_vars import custom_header_lines


def redactor_for(config: ResolvedConfig) -> Redactor:
    """A redactor that knows every secret in the configuration, shadowed definitions included:
    a key overridden by a settings file is still a key."""
    redactor = Redactor()
    for name, value in config.env.items():
        for definition in (value, *value.shadowed):
            if not isinstance(definition.raw, str):
                continue
            if is_secret_variable(name):
                redactor.add(definition.raw, name.lower())
            elif name.upper() == "ANTHROPIC_CUSTOM_HEADERS":
                for line in custom_header_lines(definition.raw):
                    _, _, header_value = line.partition(":")
                    redactor.add(header_value.strip(), "header-value")
    for key, value in config.settings.items():
        secret = is_secret_variable(key) or key == PRIMARY_API_KEY
        for definition in (value, *value.shadowed):
            if secret and isinstance(definition.raw, str):
                redactor.add(definition.raw, key)
    return redactor
