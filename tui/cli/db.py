"""``inkbench db ...``: check the database."""

from __future__ import annotations

import argparse

from tui.cli.core import open_db


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="check, back up and restore the database")
    dbsub = db.add_subparsers(title="db commands", metavar="COMMAND", required=True)
    p = dbsub.add_parser("check", help="integrity and foreign-key check; exit 1 on a problem")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from storage.check import check

    db = open_db(args)
    with db.raw(write=False) as conn:
        problems = check(conn, db.blob_dir)
    if problems:
        for line in problems:
            print(line)
        print(f"{len(problems)} problem(s) in {db.path}")
        return 1
    print(f"ok: {db.path}")
    return 0
