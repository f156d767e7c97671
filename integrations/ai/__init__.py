"""AI providers: the account server's proxy and direct OpenAI-compatible
endpoints, behind one interface (``integrations.ai.provider``), built by
``integrations.ai.factory.get_provider``."""
