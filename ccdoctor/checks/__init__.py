"""Built-in checks: one module per check, discovered at start-up."""
