"""``inkbench db ...``: check, back up, restore, compact and reindex the database."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress
from inkbench.i18n import _, format_datetime, format_number, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help=_("check, back up and restore the database"))
    dbsub = db.add_subparsers(title=_("db commands"), metavar="COMMAND", required=True)
    p = dbsub.add_parser("check", help=_("integrity and foreign-key check; exit 1 on a problem"))
    p.set_defaults(func=cmd_check)

    p = dbsub.add_parser(
        "backup", help=_("write one file holding the database and every file it references")
    )
    p.add_argument("file", metavar="FILE", help=_("the backup file to write (a tar file)"))
    p.add_argument("--force", action="store_true", help=_("overwrite FILE if it exists"))
    p.set_defaults(func=cmd_backup)

    p = dbsub.add_parser(
        "restore", help=_("replace the database with a backup (checked in full first)")
    )
    p.add_argument("file", metavar="FILE", help=_("a file made by `inkbench db backup`"))
    p.add_argument(
        "--force",
        action="store_true",
        help=_("replace existing data (a copy of the current database is kept beside it)"),
    )
    p.set_defaults(func=cmd_restore)

    p = dbsub.add_parser(
        "vacuum",
        help=_(
            "thin old autosaves, remove stored files nothing uses any more, compact the database"
        ),
    )
    p.add_argument(
        "--keep-autosaves-days",
        type=int,
        default=None,
        metavar="N",
        help=_("autosaves older than N days keep one per text and day (default 30)"),
    )
    p.set_defaults(func=cmd_vacuum)

    p = dbsub.add_parser("reindex", help=_("rebuild the search indexes from the content"))
    p.set_defaults(func=cmd_reindex)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _made(created_at: str) -> str:
    """A backup's UTC creation time (ISO text) as the language writes it."""
    from datetime import datetime

    try:
        return format_datetime(datetime.fromisoformat(created_at[:19]))
    except ValueError:
        return created_at[:19].replace("T", " ")


def cmd_check(args: argparse.Namespace) -> int:
    from inkbench.storage.check import check
    from inkbench.storage.engine import raw_connect

    db = open_db(args)
    conn = raw_connect(db.path)  # no transaction around it: a damaged file may abort one
    try:
        problems = check(conn, db.blob_dir)
    finally:
        conn.close()
    if problems:
        for line in problems:
            print(line)
        n = len(problems)
        print(
            ngettext("{n} problem in {path}", "{n} problems in {path}", n).format(n=n, path=db.path)
        )
        return 1
    print(_("ok: {path}").format(path=db.path))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from inkbench.storage.backup import create_backup

    db = open_db(args)
    info = create_backup(db, args.file, force=args.force, progress=Progress(_("backing up")))
    print(
        ngettext(
            "backed up {path} ({size}) and {n} file ({files_size}) to {backup}",
            "backed up {path} ({size}) and {n} files ({files_size}) to {backup}",
            info.blob_count,
        ).format(
            path=db.path,
            size=_size(info.db_size),
            n=format_number(info.blob_count),
            files_size=_size(info.blob_bytes),
            backup=info.path,
        )
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from inkbench.cli.upgrade_progress import upgrade_progress
    from inkbench.storage.backup import restore_backup
    from inkbench.storage.engine import open_database
    from inkbench.storage.paths import resolve_home

    home = resolve_home(args.home)
    result = restore_backup(home, args.file, force=args.force, progress=Progress(_("restoring")))
    with upgrade_progress() as progress:  # upgrades a backup from an older version
        db = open_database(home, progress=progress)
    db.dispose()
    info = result.info
    print(
        ngettext(
            "restored {path} and {n} file from {backup} (made {made} UTC)",
            "restored {path} and {n} files from {backup} (made {made} UTC)",
            info.blob_count,
        ).format(
            path=db.path,
            n=format_number(info.blob_count),
            backup=info.path,
            made=_made(info.created_at),
        )
    )
    if result.replaced_copy:
        print(
            _(
                "the database it replaced is kept at {replaced_copy}; `inkbench "
                "db vacuum` removes files only that one used"
            ).format(replaced_copy=result.replaced_copy)
        )
    return 0


def cmd_vacuum(args: argparse.Namespace) -> int:
    from inkbench.cli.config import load
    from inkbench.storage.backup import vacuum
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.retention import thin_autosaves

    # the option overrides config.toml's [novel] revision_retention_days
    keep = args.keep_autosaves_days
    if keep is None:
        keep = load(args).novel.revision_retention_days
    if keep < 0:
        raise InvalidInput(_("--keep-autosaves-days cannot be negative"))
    db = open_db(args)
    with db.raw() as conn:
        thinned = thin_autosaves(conn, keep)
    result = vacuum(db)
    print(
        ngettext(
            "removed {n} unused file; database {before} -> {after}",
            "removed {n} unused files; database {before} -> {after}",
            result.files_removed,
        ).format(
            n=format_number(result.files_removed),
            before=_size(result.db_bytes_before),
            after=_size(result.db_bytes_after),
        )
    )
    print(
        _(
            "removed {total} old autosave revision(s) ({articles} of articles, "
            "{chapters} of chapters; older than {days} days, one kept per day)"
        ).format(
            total=thinned.total,
            articles=thinned.removed["article"],
            chapters=thinned.removed["chapter"],
            days=keep,
        )
    )
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from inkbench.storage.search_index import reindex

    db = open_db(args)
    with db.raw() as conn:
        counts = reindex(conn)
    rows = _(", ").join(
        ngettext("{name} {n} row", "{name} {n} rows", n).format(name=name, n=format_number(n))
        for name, n in counts.items()
    )
    print(_("rebuilt: {rows}").format(rows=rows))
    return 0
