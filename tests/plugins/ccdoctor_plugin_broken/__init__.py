"""A plugin whose dependency is not installed: importing it raises ImportError."""

import ccdoctor_plugin_missing_dependency  # noqa: F401
