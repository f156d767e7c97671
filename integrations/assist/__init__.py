"""AI where the writer writes: assist actions on chapters and articles
(context assembly, running them, applying the reply) and the chat."""
