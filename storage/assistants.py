"""Assistants: personas with their own system prompt and parameters.

The built-ins ship as ``assets/assistants/*.toml`` and are loaded into the
database on first use (``ensure_builtins``); users add their own, edit them,
and share one as a TOML file of the same shape::

    name = "continue"                 # how commands address it; unique
    title = "Continue"                # shown in lists
    title_zh = "续写"
    description = "…"
    description_zh = "…"
    system_prompt = "…"               # required
    system_prompt_zh = "…"            # used for Chinese text; else system_prompt
    temperature = 0.8
    max_tokens = 800
    model = "gpt-4o-mini"             # preferred model; else the configured one
    [[examples]]                      # optional: shown to the model before the request
    user = "…"
    assistant = "…"
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.assets import asset_path
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import Assistant, utcnow

TEXT_KEYS = (
    "name",
    "title",
    "title_zh",
    "description",
    "description_zh",
    "system_prompt",
    "system_prompt_zh",
    "model",
)
KEYS = (*TEXT_KEYS, "temperature", "max_tokens", "examples")


@dataclass(frozen=True)
class AssistantSpec:
    """An assistant as a TOML file holds it (validated)."""

    name: str
    system_prompt: str
    title: str = ""
    title_zh: str = ""
    description: str = ""
    description_zh: str = ""
    system_prompt_zh: str = ""
    temperature: float | None = None
    max_tokens: int | None = None
    model: str | None = None
    examples: tuple[tuple[str, str], ...] = ()


def parse_spec(data: dict[str, Any], source: str) -> AssistantSpec:
    """Check one assistant's keys and values; ``InvalidInput`` naming ``source``."""
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise InvalidInput(
            _("{source}: unknown key {key}; an assistant has {keys}").format(
                source=source, key=unknown[0], keys=", ".join(KEYS)
            )
        )
    for key in TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise InvalidInput(_("{source}: {key} must be text").format(source=source, key=key))
    name = (data.get("name") or "").strip()
    if not name or any(ch.isspace() for ch in name):
        raise InvalidInput(
            _("{source}: name is missing or has spaces; give a one-word name").format(source=source)
        )
    prompt = (data.get("system_prompt") or "").strip()
    if not prompt:
        raise InvalidInput(_("{source}: system_prompt is missing").format(source=source))
    temperature = data.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not 0 <= temperature <= 2
    ):
        raise InvalidInput(
            _("{source}: temperature must be a number from 0 to 2").format(source=source)
        )
    max_tokens = data.get("max_tokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise InvalidInput(
            _("{source}: max_tokens must be a whole number above 0").format(source=source)
        )
    examples = []
    for ex in data.get("examples") or []:
        if (
            not isinstance(ex, dict)
            or set(ex) != {"user", "assistant"}
            or not all(isinstance(v, str) for v in ex.values())
        ):
            raise InvalidInput(
                _("{source}: each example needs exactly user and assistant text").format(
                    source=source
                )
            )
        examples.append((ex["user"], ex["assistant"]))
    return AssistantSpec(
        name=name,
        system_prompt=prompt,
        title=data.get("title", ""),
        title_zh=data.get("title_zh", ""),
        description=data.get("description", ""),
        description_zh=data.get("description_zh", ""),
        system_prompt_zh=(data.get("system_prompt_zh") or "").strip(),
        temperature=None if temperature is None else float(temperature),
        max_tokens=max_tokens,
        model=data.get("model") or None,
        examples=tuple(examples),
    )


def read_spec(path: Path) -> AssistantSpec:
    """An assistant TOML file, checked."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(_("{path}: no such file").format(path=path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInput(
            _("{path}: not a readable TOML file ({error})").format(path=path, error=e)
        ) from None
    return parse_spec(data, str(path))


def builtin_specs() -> list[AssistantSpec]:
    """The assistants shipped in ``assets/assistants``, by file name."""
    folder = asset_path("assistants")
    return [read_spec(p) for p in sorted(folder.glob("*.toml"))]


def _apply(row: Assistant, spec: AssistantSpec) -> None:
    row.name = spec.name
    row.title = spec.title
    row.title_zh = spec.title_zh
    row.description = spec.description
    row.description_zh = spec.description_zh
    row.system_prompt = spec.system_prompt
    row.system_prompt_zh = spec.system_prompt_zh
    row.temperature = spec.temperature
    row.max_tokens = spec.max_tokens
    row.model = spec.model
    row.examples = json.dumps(
        [{"user": u, "assistant": a} for u, a in spec.examples], ensure_ascii=False
    )
    row.updated_at = utcnow()


def ensure_builtins(session: Session) -> int:
    """Add the shipped assistants not in the database yet (by name); returns
    how many were added. A user's edits to a built-in are kept."""
    have = set(session.exec(select(Assistant.name)).all())
    added = 0
    for spec in builtin_specs():
        if spec.name in have:
            continue
        row = Assistant(name=spec.name, system_prompt=spec.system_prompt, builtin=True)
        _apply(row, spec)
        session.add(row)
        added += 1
    if added:
        session.flush()
    return added


def list_assistants(session: Session) -> list[Assistant]:
    """Every assistant, built-ins first, then by name."""
    ensure_builtins(session)
    return list(
        session.exec(select(Assistant).order_by(Assistant.builtin.desc(), Assistant.name)).all()
    )


def get_assistant(session: Session, name: str) -> Assistant:
    """The assistant called ``name`` (or with that id)."""
    ensure_builtins(session)
    row = session.exec(select(Assistant).where(Assistant.name == name)).first()
    if row is None and name.isdigit():
        row = session.get(Assistant, int(name))
    if row is None:
        raise NotFound(
            _("no assistant named {name!r}; `inkbench assistant list` shows them").format(name=name)
        )
    return row


def add_assistant(session: Session, spec: AssistantSpec) -> Assistant:
    """A new assistant; refused if the name is taken."""
    ensure_builtins(session)
    if session.exec(select(Assistant.id).where(Assistant.name == spec.name)).first():
        raise InvalidInput(
            _("an assistant named {name!r} exists already; choose another name").format(
                name=spec.name
            )
        )
    row = Assistant(name=spec.name, system_prompt=spec.system_prompt)
    _apply(row, spec)
    session.add(row)
    session.flush()
    return row


def edit_assistant(session: Session, name: str, changes: dict[str, Any]) -> Assistant:
    """Change some keys of an assistant (checked like a TOML file)."""
    row = get_assistant(session, name)
    merged = {**to_dict(row), **changes}
    spec = parse_spec(merged, name)
    if (
        spec.name != row.name
        and session.exec(select(Assistant.id).where(Assistant.name == spec.name)).first()
    ):
        raise InvalidInput(
            _("an assistant named {name!r} exists already; choose another name").format(
                name=spec.name
            )
        )
    _apply(row, spec)
    session.add(row)
    session.flush()
    return row


def count_use(session: Session, assistant_id: int) -> None:
    """One more use of an assistant."""
    session.execute(
        update(Assistant).where(Assistant.id == assistant_id).values(uses=Assistant.uses + 1)
    )


def examples_of(row: Assistant) -> list[tuple[str, str]]:
    """The assistant's examples as (user, assistant) pairs."""
    try:
        return [(e["user"], e["assistant"]) for e in json.loads(row.examples or "[]")]
    except (ValueError, KeyError, TypeError):
        return []


def to_dict(row: Assistant) -> dict[str, Any]:
    """The assistant as its TOML file holds it (empty and unset keys left out)."""
    out: dict[str, Any] = {}
    for key in TEXT_KEYS:
        value = getattr(row, key)
        if value:
            out[key] = value
    if row.temperature is not None:
        out["temperature"] = row.temperature
    if row.max_tokens is not None:
        out["max_tokens"] = row.max_tokens
    examples = examples_of(row)
    if examples:
        out["examples"] = [{"user": u, "assistant": a} for u, a in examples]
    return out


def to_toml(row: Assistant) -> str:
    """The assistant as a TOML file to share."""
    import tomli_w

    return tomli_w.dumps(to_dict(row), multiline_strings=True)
