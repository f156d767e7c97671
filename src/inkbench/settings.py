"""Inkbench's settings: ``config.toml`` in the data home, read by one model.

Every layer imports this module (it imports nothing from cli, tui or
integrations), so there is one reader of the file::

    [ui]
    theme = "textual-light"             # any Textual theme name
    language = "en"                     # "zh" or "en"; unset: from the locale

    [keymap]                            # binding id = keys (see F1 in the app)
    "app.search" = "ctrl+k"

    [account]
    server = "http://127.0.0.1:8765"    # the account server `inkbench login` uses
    user = "alice"                      # default user name for `inkbench login`
    keyring = "system"                  # or "file": keyrings.alt's encrypted file

    [ai]
    provider = "server"                 # or "direct": an OpenAI-compatible endpoint
    base_url = "http://127.0.0.1:11434/v1"   # direct only
    model = "llama3.2"                  # default model (both providers)
    timeout = 60                        # seconds to wait for a reply to start

    [ai.prices]                         # per model: price per million tokens
    "gpt-4o-mini" = { input = 0.15, output = 0.6 }

    [ai.budgets]                        # per model: most tokens of context sent
    "gpt-4o-mini" = { context = 12000 }

Adding a section is one nested model: a ``BaseModel`` subclass and a field of
that type on :class:`Settings`; the reader, the unknown-key check, the sources
and ``inkbench config show`` follow from the model.

Reading never raises. Each problem becomes one line in ``Settings.problems``
naming the file and the key: an unknown key is ignored, a bad value keeps that
key's default (the rest of the file still applies), a file that cannot be read
or is not TOML gives all the defaults. Secrets never live in the file: a key
that looks like one is refused without echoing it. The only secret setting,
the encrypted keyring's password, comes from the environment
(``INKBENCH_KEYRING_PASSWORD``) and is never shown.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic.fields import FieldInfo

from inkbench.storage.paths import CONFIG_NAME, resolve_home

DEFAULT_SERVER = "http://127.0.0.1:8765"
KEYRING_PASSWORD_ENV = "INKBENCH_KEYRING_PASSWORD"

# A key whose name says it holds a secret is refused from the file, unread.
# (A key the model declares is never taken for one, so `max_tokens` can be added.)
_SECRET_NAME = re.compile(
    r"(^|[_.-])(pass|passwd|password|secret|token|api_?key|access_?key|private_?key|"
    r"credentials?)($|[_.-])",
    re.I,
)


def _env(name: str) -> Any:
    """Field metadata: the environment variable that overrides this key."""
    return {"env": name}


def _http_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _keys(value: Any) -> Any:
    """Keys as text ("ctrl+k,f2") or a list of texts; spaces dropped."""
    if isinstance(value, list) and all(isinstance(k, str) for k in value):
        value = ",".join(value)
    if isinstance(value, str):
        value = value.replace(" ", "")
        if not value.strip(","):
            raise ValueError('must be keys as text, e.g. "ctrl+k"')
    return value


def _nonblank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Keys = Annotated[str, BeforeValidator(_keys)]
Name = Annotated[str, AfterValidator(_nonblank)]


class Section(BaseModel):
    """A table of config.toml: strict types (no "60" for 60), no unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class UISettings(Section):
    """``[ui]``: how the terminal UI looks and speaks."""

    theme: Name | None = Field(None, description="Textual theme (F1 lists them; ctrl+t toggles)")
    language: Literal["zh", "en"] | None = Field(
        None, description='interface language, "zh" or "en"; unset: from the locale'
    )


class AccountSettings(Section):
    """``[account]``: the account server and where tokens are kept."""

    server: HttpUrl = Field(DEFAULT_SERVER, description="account server `inkbench login` uses")
    user: Name | None = Field(None, description="default user name for `inkbench login`")
    keyring: Literal["system", "file"] = Field(
        "system",
        description='"system": the OS keyring; "file": an encrypted keyring.cfg in the data '
        f"directory, unlocked with {KEYRING_PASSWORD_ENV}",
    )
    keyring_password: SecretStr | None = Field(
        None,
        description="password of the encrypted keyring file; environment only, never shown",
        json_schema_extra=_env(KEYRING_PASSWORD_ENV),
    )


class ModelPrice(Section):
    """One model's price, per million tokens (in any one currency)."""

    input: float = Field(ge=0, description="price per million prompt tokens")
    output: float = Field(ge=0, description="price per million completion tokens")


class ModelBudget(Section):
    """How many tokens of context one model is given (the prompt, not the reply)."""

    context: int = Field(gt=0, description="most prompt tokens the assistants send")


#: the context budget of a model ``[ai.budgets]`` does not list
DEFAULT_CONTEXT_BUDGET = 6000


class AISettings(Section):
    """``[ai]``: which AI provider, which model, and what models cost."""

    provider: Literal["server", "direct"] = Field(
        "server",
        description='"server": the account server\'s proxy (login, quota); "direct": '
        "an OpenAI-compatible endpoint at base_url",
    )
    base_url: HttpUrl | None = Field(
        None, description='the direct endpoint, e.g. "http://127.0.0.1:11434/v1" (Ollama)'
    )
    model: Name | None = Field(None, description="default model (both providers)")
    timeout: float = Field(60.0, gt=0, description="seconds to wait for a reply to start")
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description="[ai.prices] per model: { input = <price>, output = <price> } per "
        "million tokens",
    )
    budgets: dict[str, ModelBudget] = Field(
        default_factory=dict,
        description="[ai.budgets] per model: { context = <tokens> }, the most context the "
        f"assistants send (default {DEFAULT_CONTEXT_BUDGET})",
    )

    def context_budget(self, model: str | None) -> int:
        """The context budget of ``model``: ``[ai.budgets]``, else the default."""
        budget = self.budgets.get(model or "")
        return budget.context if budget is not None else DEFAULT_CONTEXT_BUDGET


class OCRSettings(Section):
    """``[ocr]``: which engine reads the text in images."""

    engine: Literal["tesseract", "ppocr", "auto"] = Field(
        "auto",
        description='"tesseract", "ppocr" (the [ppocr] extra) or "auto": ppocr for Chinese '
        "when installed; an album's own engine comes first",
    )


class NovelSettings(Section):
    """``[novel]``: writing novels: the manuscript's author, how long autosaves are kept."""

    author: Name | None = Field(
        None, description="the author on exported manuscripts; unset: the OS user name"
    )
    revision_retention_days: int = Field(
        30,
        ge=0,
        description="autosave revisions older than this are thinned to one per day by "
        "`inkbench db vacuum`; manual, AI and restore revisions are kept",
    )


class Settings(BaseModel):
    """The effective settings: defaults, then ``config.toml``, then the
    environment. Fields marked ``exclude`` describe the reading, not the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ui: UISettings = Field(default_factory=UISettings)
    keymap: dict[str, Keys] = Field(
        default_factory=dict, description='binding id = keys, e.g. "app.search" = "ctrl+k"'
    )
    account: AccountSettings = Field(default_factory=AccountSettings)
    ai: AISettings = Field(default_factory=AISettings)
    ocr: OCRSettings = Field(default_factory=OCRSettings)
    novel: NovelSettings = Field(default_factory=NovelSettings)

    home: Path | None = Field(None, exclude=True)
    path: Path | None = Field(None, exclude=True)
    problems: tuple[str, ...] = Field((), exclude=True)
    sources: dict[str, str] = Field(default_factory=dict, exclude=True)


def file_sections() -> dict[str, Any]:
    """The tables config.toml may hold: section name -> its field's annotation."""
    return {
        name: field.annotation for name, field in Settings.model_fields.items() if not field.exclude
    }


def _env_name(field) -> str | None:
    extra = field.json_schema_extra
    return extra.get("env") if isinstance(extra, dict) else None


def is_secret(field: FieldInfo) -> bool:
    """A secret setting: from the environment only, never the file, never shown."""
    return SecretStr in (field.annotation, *get_args(field.annotation))


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _quote(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'


def dotted(*parts: Any) -> str:
    """A key path as TOML writes it: ``ai.prices."gpt-4o".input``."""
    return ".".join(_quote(str(p)) for p in parts)


def _read(path: Path) -> tuple[dict[str, Any], str | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        # no file, or no data directory (the command that needs it says so)
        return {}, None
    except (OSError, UnicodeDecodeError) as e:
        return {}, f"{path}: cannot read it ({e}); using the defaults"
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as e:
        return {}, f"{path} is not valid TOML ({e}); using the defaults"


def _drop_point(loc: tuple, kind: str) -> tuple:
    """Which part of the input to drop for an error at ``loc``: the unknown
    key itself, one entry of a table of entries, else the whole key."""
    if kind == "extra_forbidden":
        return loc
    model: Any = Settings
    for i, part in enumerate(loc):
        field = model.model_fields.get(part) if _is_model(model) else None
        if field is None:
            return loc[: i + 1]
        if _is_model(field.annotation):
            model = field.annotation
            continue
        if getattr(field.annotation, "__origin__", None) is dict:
            return loc[: i + 2]
        return loc[: i + 1]
    return loc


def _default_at(loc: tuple) -> Any:
    model: Any = Settings
    for part in loc:
        field = model.model_fields.get(part) if _is_model(model) else None
        if field is None:
            return None
        if _is_model(field.annotation) and part != loc[-1]:
            model = field.annotation
            continue
        return field.get_default(call_default_factory=True)
    return None


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, BaseModel):
        return "its defaults"
    return repr(value)


def _pop(data: dict, loc: tuple) -> None:
    for part in loc[:-1]:
        data = data.get(part) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            return
    if isinstance(data, dict):
        data.pop(loc[-1], None)


def _copy(data: Any) -> Any:
    return {k: _copy(v) for k, v in data.items()} if isinstance(data, dict) else data


def _has(data: dict, loc: tuple) -> bool:
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def load_settings(
    home: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read ``config.toml`` in ``home`` (default: the data home) over the
    defaults, then the environment over both. Never raises: problems are in
    ``Settings.problems``, one line each."""
    home_path = resolve_home(home)
    path = home_path / CONFIG_NAME
    env = os.environ if environ is None else environ
    raw, problem = _read(path)
    problems: list[str] = [problem] if problem else []
    data: dict[str, Any] = {}
    sections = file_sections()
    for name, value in raw.items():
        if name not in sections:
            problems.append(_unknown(path, (name,), top=True))
        elif _is_model(sections[name]) and not isinstance(value, dict):
            problems.append(f"{path}: [{name}] must be a table; its defaults are kept")
        else:
            data[name] = _copy(value)
    # secrets never come from the file, and are never echoed
    for name, annotation in sections.items():
        table = data.get(name)
        if not (_is_model(annotation) and isinstance(table, dict)):
            continue
        for key in list(table):
            field = annotation.model_fields.get(key)
            secret = _SECRET_NAME.search(key) if field is None else is_secret(field)
            if secret:
                del table[key]
                problems.append(
                    f"{path}: {dotted(name, key)} looks like a secret and is not allowed in "
                    "config.toml (secrets live in the keyring); ignored, value not shown"
                )
    from_file = _copy(data)
    # the environment overrides the file
    from_env: dict[tuple, str] = {}
    for name, annotation in sections.items():
        if not _is_model(annotation):
            continue
        for key, field in annotation.model_fields.items():
            var = _env_name(field)
            if var and env.get(var):
                data.setdefault(name, {})[key] = env[var]
                from_env[(name, key)] = var
    settings = _validate(data, path, problems, from_env)
    sources = _sources(settings, from_file, from_env, data)
    return settings.model_copy(
        update={
            "home": home_path,
            "path": path,
            "problems": tuple(problems),
            "sources": sources,
        }
    )


def _unknown(path: Path, loc: tuple, *, top: bool = False) -> str:
    key = loc[-1] if loc else ""
    if isinstance(key, str) and _SECRET_NAME.search(key):
        return (
            f"{path}: {dotted(*loc)} looks like a secret and is not allowed in config.toml "
            "(secrets live in the keyring); ignored, value not shown"
        )
    what = "section or key" if top else "key"
    allowed = ", ".join(file_sections()) if top else None
    hint = f" (sections: {allowed})" if allowed else ""
    return f"{path}: unknown {what} {dotted(*loc)} ignored{hint}"


def _validate(
    data: dict[str, Any], path: Path, problems: list[str], from_env: dict[tuple, str]
) -> Settings:
    for _ in range(100):  # each round drops at least one bad key
        try:
            return Settings.model_validate(data)
        except ValidationError as e:
            dropped: set[tuple] = set()
            for err in e.errors():
                loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
                point = _drop_point(loc, err["type"])
                if point in dropped or not _has(data, point):
                    continue
                dropped.add(point)
                problems.append(_bad(path, loc, point, err, from_env))
            if not dropped:  # pragma: no cover - nothing left to drop
                break
            for point in dropped:
                _pop(data, point)
    return Settings()


def _bad(path: Path, loc: tuple, point: tuple, err: dict, from_env: dict[tuple, str]) -> str:
    if err["type"] == "extra_forbidden":
        return _unknown(path, loc)
    msg = err["msg"]
    msg = msg[:1].lower() + msg[1:]
    msg = msg.removeprefix("value error, ")
    where = f"{path}: {dotted(*loc)}" if loc else str(path)
    if point in from_env:
        where = f"environment {from_env[point]} ({dotted(*point)})"
    if len(point) == 1:
        return f"{where}: {msg}; [{point[0]}] ignored"
    if len(point) > 2 or point[0] == "keymap":
        return f"{where}: {msg}; entry {dotted(*point)} ignored"
    return f"{where}: {msg}; the default ({_shown(_default_at(point))}) is kept"


def _sources(
    settings: Settings, from_file: dict, from_env: dict[tuple, str], kept: dict
) -> dict[str, str]:
    """Where each effective value came from: default, file or env:NAME."""
    sources: dict[str, str] = {}
    for name, annotation in file_sections().items():
        if _is_model(annotation):
            for key in annotation.model_fields:
                loc = (name, key)
                if loc in from_env and _has(kept, loc):
                    sources[dotted(*loc)] = f"env:{from_env[loc]}"
                elif _has(from_file, loc) and _has(kept, loc):
                    sources[dotted(*loc)] = "file"
                else:
                    sources[dotted(*loc)] = "default"
        else:
            for key in getattr(settings, name):
                sources[dotted(name, key)] = "file"
    return sources


@dataclass(frozen=True)
class Entry:
    """One effective setting as ``inkbench config show`` lists it."""

    key: str
    value: Any  # None: unset; secrets are never here
    source: str  # "default", "file" or "env:NAME"
    secret: bool = False


def entries(settings: Settings) -> list[Entry]:
    """Every effective setting with its source, in file order; a secret's
    value is never included (only whether it is set)."""
    out: list[Entry] = []
    for name, annotation in file_sections().items():
        section = getattr(settings, name)
        if not _is_model(annotation):
            for key, value in section.items():
                out.append(Entry(dotted(name, key), value, "file"))
            continue
        for key in annotation.model_fields:
            value = getattr(section, key)
            source = settings.sources.get(dotted(name, key), "default")
            if isinstance(value, SecretStr):
                out.append(Entry(dotted(name, key), None, source, secret=True))
            elif isinstance(value, dict):
                if not value:
                    out.append(Entry(dotted(name, key), {}, source))
                for entry, item in value.items():
                    item = item.model_dump() if isinstance(item, BaseModel) else item
                    for part, v in item.items() if isinstance(item, dict) else [("", item)]:
                        parts = (name, key, entry, part) if part else (name, key, entry)
                        out.append(Entry(dotted(*parts), v, source))
            else:
                out.append(Entry(dotted(name, key), value, source))
    return out


def set_ai_provider(home: str | os.PathLike[str] | Path, provider: str) -> None:
    """Set ``[ai] provider`` in config.toml, leaving every other line as it is."""
    from inkbench.storage.errors import InvalidInput

    if provider not in ("server", "direct"):
        raise InvalidInput(f'ai.provider must be "server" or "direct", not {provider!r}')
    set_file_value(home, "ai", "provider", provider)


def set_ui_language(home: str | os.PathLike[str] | Path, language: str) -> None:
    """Set ``[ui] language`` in config.toml ("zh" or "en"), leaving every other
    line as it is (the TUI's palette switches the language with this)."""
    from inkbench.storage.errors import InvalidInput

    if language not in ("zh", "en"):
        raise InvalidInput(f'ui.language must be "zh" or "en", not {language!r}')
    set_file_value(home, "ui", "language", language)


def set_file_value(home: str | os.PathLike[str] | Path, table: str, key: str, value: str) -> None:
    """Set one string ``key`` of ``[table]`` in config.toml with a line edit:
    comments, order and every other value stay as they are; a file that would
    no longer parse is never written."""
    path = Path(home) / CONFIG_NAME
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    setting = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    current = None
    start = None
    done = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            current = stripped.split("#", 1)[0].strip().strip("[]").strip()
            if current == table:
                start = i
            continue
        if current == table and stripped.split("=", 1)[0].strip() == key:
            lines[i] = setting
            done = True
            break
    if not done:
        if start is None:
            lines += (["", f"[{table}]"] if lines else [f"[{table}]"]) + [setting]
        else:
            lines.insert(start + 1, setting)
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write a file that no longer parses
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
