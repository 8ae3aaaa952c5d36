"""Real network peers on 127.0.0.1 for integration and conformance tests.

Each peer behaves like the thing it stands for (Anthropic API, LiteLLM gateway, TLS endpoints,
corporate proxy, dead hosts) closely enough that both ccdoctor and the real Claude Code client
can be pointed at it. Nothing here reaches beyond loopback.
"""
