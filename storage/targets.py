"""Conversion targets: the company or product an article promotes (name,
pitch, site, contact).

Rule 2: a target an active task uses cannot be deleted.
"""

from __future__ import annotations

from sqlmodel import Session, select

from inkbench.i18n import N_, _
from inkbench.storage.errors import InvalidInput, NotFound, non_empty
from inkbench.storage.models import ConversionTarget, utcnow
from inkbench.storage.usage import refuse_if_in_use

TARGET_FIELDS = ("pitch", "site", "contact")


def create_target(session: Session, name: str, **fields) -> ConversionTarget:
    """A new conversion target; its name must be unused."""
    name = non_empty(name, N_("a target's name"))
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise InvalidInput(
            _("unknown target field(s): {choices}").format(choices=", ".join(sorted(unknown)))
        )
    if session.exec(select(ConversionTarget).where(ConversionTarget.name == name)).first():
        raise InvalidInput(
            _('a conversion target named "{name}" exists; choose another name').format(name=name)
        )
    now = utcnow()
    t = ConversionTarget(
        name=name,
        created_at=now,
        updated_at=now,
        **{k: (v or "").strip() for k, v in fields.items()},
    )
    session.add(t)
    session.flush()
    return t


def get_target(session: Session, target_id: int) -> ConversionTarget:
    """The target with this id, or ``NotFound``."""
    t = session.get(ConversionTarget, target_id)
    if t is None:
        raise NotFound(
            _("no conversion target with id {target_id}; `inkbench target list`").format(
                target_id=target_id
            )
        )
    return t


def find_target(session: Session, name_or_id: str | int) -> ConversionTarget:
    """A target by id or by name, or ``NotFound``."""
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        t = session.get(ConversionTarget, int(name_or_id))
        if t is not None:
            return t
    t = session.exec(
        select(ConversionTarget).where(ConversionTarget.name == str(name_or_id).strip())
    ).first()
    if t is None:
        raise NotFound(
            _('no conversion target "{name_or_id}"; `inkbench target list` shows them').format(
                name_or_id=name_or_id
            )
        )
    return t


def target_name_taken(session: Session, name: str) -> bool:
    """Whether a conversion target is called exactly ``name``."""
    stmt = select(ConversionTarget.id).where(ConversionTarget.name == name)
    return session.exec(stmt).first() is not None


def update_target(session: Session, target_id: int, **fields) -> ConversionTarget:
    """Change the fields given (``None`` leaves a field as it is)."""
    t = get_target(session, target_id)
    unknown = set(fields) - {"name", *TARGET_FIELDS}
    if unknown:
        raise InvalidInput(
            _("unknown target field(s): {choices}").format(choices=", ".join(sorted(unknown)))
        )
    if "name" in fields:
        fields["name"] = non_empty(fields["name"], N_("a target's name"))
        other = session.exec(
            select(ConversionTarget).where(ConversionTarget.name == fields["name"])
        ).first()
        if other is not None and other.id != t.id:
            raise InvalidInput(
                _('a conversion target named "{name}" exists').format(name=fields["name"])
            )
    for k, v in fields.items():
        if v is not None:
            setattr(t, k, v.strip())
    t.updated_at = utcnow()
    session.add(t)
    session.flush()
    return t


def list_targets(session: Session, *, offset: int = 0, limit: int = 200) -> list[ConversionTarget]:
    """A page of targets, by name."""
    return list(
        session.exec(
            select(ConversionTarget).order_by(ConversionTarget.name).offset(offset).limit(limit)
        ).all()
    )


def delete_target(session: Session, target_id: int) -> None:
    """Delete a target (refused while an active task uses it)."""
    t = get_target(session, target_id)
    refuse_if_in_use(session, "conversion_target", t.id, f'"{t.name}"')
    session.delete(t)
    session.flush()
