"""Server settings: one frozen object passed to ``create_app(settings)``.

Worker processes (``--workers N``) read the same settings from the
environment (``Settings.from_env``); the upstream API key is never copied
there: only the *name* of the variable holding it is.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields

ENV_PREFIX = "INKBENCH_SERVER_"
DEFAULT_KEY_ENV = "INKBENCH_UPSTREAM_KEY"


@dataclass(frozen=True)
class Settings:
    db_url: str = "sqlite:///inkbench-server.db"
    upstream_url: str = "http://127.0.0.1:11434/v1"
    upstream_key_env: str = DEFAULT_KEY_ENV  # the variable that holds the upstream key
    # sessions
    access_ttl: int = 900  # seconds an access token lives
    refresh_ttl: int = 30 * 86400  # sliding: each refresh extends it
    session_max_age: int = 90 * 86400  # absolute: no refresh extends a session past it
    # argon2id (RFC 9106 second recommended option); tests pass cheap values
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # failed logins allowed per window before 429 (see accounts.login_attempt)
    login_window: int = 300
    login_max_per_user: int = 5  # then only addresses with no failure on it may try
    login_max_per_address: int = 20
    trust_forwarded_for: bool = False  # behind a proxy: its hop of X-Forwarded-For
    # request bodies (413 beyond)
    max_auth_body: int = 1024 * 1024
    max_ai_body: int = 8 * 1024 * 1024
    # quota: a completion is an article when labelled "generate" or when its
    # reply has at least this many tokens (see quota.py)
    article_min_tokens: int = 300
    default_max_tokens: int = 4096  # a reply's cap under a token limit, when the call sets none
    reservation_ttl: int = 3600  # a reservation of a process that died lapses after
    # housekeeping: purge dead rows this often (each worker; 0: never)
    purge_every: int = 3600
    health_shows_version: bool = False  # anonymous GET /api/health names the version
    # upstream
    upstream_connect_timeout: float = 5.0
    upstream_read_timeout: float = 120.0
    # idempotency
    idempotency_ttl: int = 86400  # how long a stored answer can be replayed
    idempotency_wait: float = 30.0  # a retry waits this long for the first attempt
    idempotency_lease: int = 60  # an attempt's claim, renewed while it streams
    default_plan: str = "free"
    migrate: bool = True  # run migrations at start-up

    @property
    def upstream_key(self) -> str | None:
        return os.environ.get(self.upstream_key_env) or None

    def to_env(self) -> dict[str, str]:
        return {ENV_PREFIX + k.upper(): str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            kind = type(getattr(cls, f.name))
            if kind is bool:
                values[f.name] = raw.lower() in ("1", "true", "yes")
            else:
                values[f.name] = kind(raw)
        return cls(**values)
