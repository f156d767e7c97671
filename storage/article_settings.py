"""Article settings: the prompt templates a task writes with (style, length,
language, structure, extra instructions, template), and the defaults shipped
in ``assets/prompts/*.toml``.

Rule 2: a setting an active task uses cannot be deleted.
"""

from __future__ import annotations

import tomllib

from sqlmodel import Session, select

from inkbench.i18n import N_, _
from inkbench.storage.assets import asset_path
from inkbench.storage.errors import InvalidInput, NotFound, non_empty
from inkbench.storage.models import ArticleSetting, utcnow
from inkbench.storage.usage import refuse_if_in_use

SETTING_FIELDS = ("style", "length", "language", "structure", "extra_instructions", "template")
LANGUAGES = {"zh": "简体中文 (Simplified Chinese)", "en": "English"}


def default_settings() -> list[dict]:
    """The settings shipped in ``assets/prompts/*.toml``."""
    out = []
    for path in sorted(asset_path("prompts").glob("*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        if data.get("name"):
            out.append(
                {
                    k: v.strip() if isinstance(v, str) else v
                    for k, v in data.items()
                    if k in ("name", *SETTING_FIELDS)
                }
            )
    return out


def ensure_default_settings(session: Session) -> int:
    """Add the shipped settings missing by name; returns how many were added."""
    have = set(session.exec(select(ArticleSetting.name)).all())
    n = 0
    for d in default_settings():
        if d["name"] not in have:
            create_setting(session, **d)
            n += 1
    return n


def _check_setting(values: dict) -> None:
    if "length" in values and values["length"] is not None:
        try:
            values["length"] = int(values["length"])
        except (TypeError, ValueError):
            raise InvalidInput(_("length must be a number of words")) from None
        if not 50 <= values["length"] <= 20000:
            raise InvalidInput(_("length must be between 50 and 20000 words"))


def create_setting(session: Session, name: str, **fields) -> ArticleSetting:
    """A new article setting; its name must be unused."""
    name = non_empty(name, N_("a setting's name"))
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise InvalidInput(
            _("unknown setting field(s): {choices}").format(choices=", ".join(sorted(unknown)))
        )
    if session.exec(select(ArticleSetting).where(ArticleSetting.name == name)).first():
        raise InvalidInput(
            _('an article setting named "{name}" exists; choose another name').format(name=name)
        )
    _check_setting(fields)
    now = utcnow()
    s = ArticleSetting(
        name=name,
        created_at=now,
        updated_at=now,
        **{k: v for k, v in fields.items() if v is not None},
    )
    session.add(s)
    session.flush()
    return s


def get_setting(session: Session, setting_id: int) -> ArticleSetting:
    """The setting with this id, or ``NotFound``."""
    s = session.get(ArticleSetting, setting_id)
    if s is None:
        raise NotFound(
            _("no article setting with id {setting_id}; `inkbench setting list`").format(
                setting_id=setting_id
            )
        )
    return s


def find_setting(session: Session, name_or_id: str | int) -> ArticleSetting:
    """A setting by id or by name, or ``NotFound``."""
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        s = session.get(ArticleSetting, int(name_or_id))
        if s is not None:
            return s
    s = session.exec(
        select(ArticleSetting).where(ArticleSetting.name == str(name_or_id).strip())
    ).first()
    if s is None:
        raise NotFound(
            _('no article setting "{name_or_id}"; `inkbench setting list` shows them').format(
                name_or_id=name_or_id
            )
        )
    return s


def setting_name_taken(session: Session, name: str) -> bool:
    """Whether an article setting is called exactly ``name``."""
    stmt = select(ArticleSetting.id).where(ArticleSetting.name == name)
    return session.exec(stmt).first() is not None


def update_setting(session: Session, setting_id: int, **fields) -> ArticleSetting:
    """Change the fields given (``None`` leaves a field as it is)."""
    s = get_setting(session, setting_id)
    unknown = set(fields) - {"name", *SETTING_FIELDS}
    if unknown:
        raise InvalidInput(
            _("unknown setting field(s): {choices}").format(choices=", ".join(sorted(unknown)))
        )
    _check_setting(fields)
    if "name" in fields:
        name = non_empty(fields["name"], N_("a setting's name"))
        other = session.exec(select(ArticleSetting).where(ArticleSetting.name == name)).first()
        if other is not None and other.id != s.id:
            raise InvalidInput(
                _('an article setting named "{name}" exists; choose another name').format(name=name)
            )
        fields["name"] = name
    for k, v in fields.items():
        if v is not None:
            setattr(s, k, v)
    s.updated_at = utcnow()
    session.add(s)
    session.flush()
    return s


def list_settings(session: Session, *, offset: int = 0, limit: int = 200) -> list[ArticleSetting]:
    """A page of settings, by name."""
    return list(
        session.exec(
            select(ArticleSetting).order_by(ArticleSetting.name).offset(offset).limit(limit)
        ).all()
    )


def delete_setting(session: Session, setting_id: int) -> None:
    """Delete a setting (refused while an active task uses it)."""
    s = get_setting(session, setting_id)
    refuse_if_in_use(session, "article_setting", s.id, f'"{s.name}"')
    session.delete(s)
    session.flush()
