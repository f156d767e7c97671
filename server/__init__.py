"""The Inkbench account server: users, sessions, plans and quota, and an
OpenAI-compatible AI proxy. It keeps no business data and imports nothing
from the client packages."""

__version__ = "0.1.0"
