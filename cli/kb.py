"""``inkbench kb ...``: knowledge bases: import documents, list, show, trash."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, cancel_on_ctrl_c, print_json, warn
from inkbench.i18n import _, format_number, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser("kb", help=_("knowledge bases: import documents, list, show"))
    ksub = kb.add_subparsers(title=_("kb commands"), metavar="COMMAND", required=True)

    p = ksub.add_parser(
        "import", help=_("md/txt/html/pdf/docx files (or folders) into a knowledge base")
    )
    p.add_argument("name", metavar="NAME", help=_("the knowledge base (created if missing)"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("files or folders"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=cmd_import)

    p = ksub.add_parser("list", help=_("knowledge bases with document and chunk counts"))
    p.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = ksub.add_parser("show", help=_("the documents of a knowledge base"))
    p.add_argument("name", metavar="NAME|ID", help=_("the knowledge base"))
    p.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = ksub.add_parser("chunks", help=_("the chunks of a document, in order"))
    p.add_argument("document", type=int, metavar="DOCUMENT_ID", help=_("the document"))
    p.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_chunks)

    p = ksub.add_parser("trash", help=_("move a knowledge base to the Trash"))
    p.add_argument("name", metavar="NAME|ID", help=_("the knowledge base"))
    p.set_defaults(func=cmd_trash)


def cmd_import(args: argparse.Namespace) -> int:
    from inkbench.integrations.kb_import import import_documents

    db = open_db(args)
    with cancel_on_ctrl_c() as cancel:
        report = import_documents(
            db, args.name, args.paths, cancel=cancel, progress=Progress(_("importing"))
        )
    if args.json:
        print_json(report.__dict__)
    else:
        for d in report.imported:
            print(
                _("document {id}: {title} ({chunks}) from {path}").format(
                    id=d["id"], title=d["title"], chunks=_chunks(d["chunks"]), path=d["path"]
                )
            )
        for d in report.duplicates:
            print(_("already there: {path} (document {id})").format(path=d["path"], id=d["id"]))
        for line in report.refused:
            warn(line)
        print(report.summary())
    return 1 if report.refused else 0


def _chunks(n: int) -> str:
    return ngettext("{n} passage", "{n} passages", n).format(n=format_number(n))


def cmd_list(args: argparse.Namespace) -> int:
    from inkbench.storage.knowledge import count_kbs, list_kbs

    db = open_db(args)
    with db.read() as session:
        rows = list_kbs(session, offset=max(0, args.offset), limit=max(1, args.limit))
        total = count_kbs(session)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        print(
            "{id:>5}  {documents:>12} {chunks:>14}  {name}".format(
                id=r.id,
                documents=ngettext("{n} document", "{n} documents", r.documents).format(
                    n=format_number(r.documents)
                ),
                chunks=_chunks(r.chunks),
                name=r.name,
            )
        )
    print(
        ngettext("{n} of {total} knowledge base", "{n} of {total} knowledge bases", total).format(
            n=len(rows), total=format_number(total)
        )
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from rich.cells import cell_len

    from inkbench.storage.knowledge import count_documents, find_kb, list_documents
    from inkbench.storage.vocab import document_format_name
    from inkbench.tui.cells import pad

    db = open_db(args)
    with db.read() as session:
        kb = find_kb(session, args.name)
        docs = list_documents(session, kb.id, offset=max(0, args.offset), limit=max(1, args.limit))
        total = count_documents(session, kb.id)
    if args.json:
        print_json({"id": kb.id, "name": kb.name, "documents": [d.__dict__ for d in docs]})
        return 0
    print(_("knowledge base {id}: {name}").format(id=kb.id, name=kb.name))
    for d in docs:
        fmt = pad(document_format_name(d.format), 9)
        chunks = _chunks(d.chunks)
        chunks = " " * max(0, 14 - cell_len(chunks)) + chunks  # right-aligned by cells
        print(f"{d.id:>6}  {fmt}{chunks}  {d.title}")
    print(
        ngettext("{n} of {total} document", "{n} of {total} documents", total).format(
            n=len(docs), total=format_number(total)
        )
    )
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    from inkbench.storage.knowledge import find_kb, trash_kb

    db = open_db(args)
    with db.write() as session:
        kb = find_kb(session, args.name)
        trash_kb(session, kb.id)
    print(_('knowledge base "{name}" moved to the Trash').format(name=kb.name))
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    from inkbench.storage.knowledge import get_document, list_chunks

    db = open_db(args)
    with db.read() as session:
        doc = get_document(session, args.document)
        chunks = list_chunks(session, doc.id, offset=max(0, args.offset), limit=max(1, args.limit))
    if args.json:
        print_json([c.model_dump() for c in chunks])
        return 0
    print(_("document {id}: {title}").format(id=doc.id, title=doc.title))
    for c in chunks:
        where = f" · {c.heading}" if c.heading else ""
        print(
            _("[{n}]{where} ({characters})").format(
                n=c.position + 1,
                where=where,
                characters=ngettext("{n} character", "{n} characters", c.char_count).format(
                    n=format_number(c.char_count)
                ),
            )
        )
        print(f"    {c.text[:300]}")
    return 0
