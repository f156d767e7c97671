"""Real HTTP servers for tests and benchmarks: a small OpenAI-compatible
upstream (``upstream.py``), the account server in a thread (``servers.py``),
and pytest fixtures for both (``fixtures.py``)."""
