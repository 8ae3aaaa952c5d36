"""Facts about Claude Code versions, observed by running each installed client against the fakes."""
