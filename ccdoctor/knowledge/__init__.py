"""Provider and client knowledge, kept as data in one place."""
