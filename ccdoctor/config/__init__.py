"""Configuration resolution: where facts come from, resolved exactly as Claude Code does."""

from ccdoctor.config.resolve import Origin, Value
from ccdoctor.config.settings_files import SettingsLayer, Source
from ccdoctor.config.view import Inputs, ModelChoice, RegionChoice, ResolvedConfig, resolve

__all__ = [
    "Inputs",
    "ModelChoice",
    "Origin",
    "RegionChoice",
    "ResolvedConfig",
    "SettingsLayer",
    "Source",
    "Value",
    "resolve",
]
