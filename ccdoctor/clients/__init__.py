"""What each Claude Code version does, as data: one TOML file per version under versions/."""
