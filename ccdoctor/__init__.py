"""ccdoctor: find why Claude Code cannot reach its model provider, before it hangs."""

__version__ = "0.1.0"

__all__ = ["__version__"]
