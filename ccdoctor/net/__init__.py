"""The network layer: one place that reaches the outside world the way the client does."""
