"""``inkbench album ...``: import images, list albums, show one, rename, move
and copy images between albums."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, cancel_on_ctrl_c, print_json, warn
from inkbench.i18n import N_, _, format_number, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    alb = sub.add_parser("album", help=_("image albums: import, list, show, move and copy"))
    asub = alb.add_subparsers(title=_("album commands"), metavar="COMMAND", required=True)

    p = asub.add_parser(
        "import", help=_("import image files (or folders of them) into an album, creating it")
    )
    p.add_argument("name", metavar="NAME", help=_("the album (created if there is none)"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("image files or folders"))
    p.add_argument("--recursive", "-r", action="store_true", help=_("go into sub-folders too"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=cmd_import)

    p = asub.add_parser("list", help=_("albums with image counts and OCR progress"))
    p.add_argument("--limit", type=int, default=100, help=_("how many (default 100)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--trashed", action="store_true", help=_("list the albums in the Trash"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = asub.add_parser(
        "show",
        help=_("one album's images, a page at a time: format, upright size, date taken, OCR"),
    )
    p.add_argument("name", metavar="NAME", help=_("the album"))
    p.add_argument("--limit", type=int, default=100, help=_("how many (default 100)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--status", help=_("only this OCR status (pending, running, done, ...)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = asub.add_parser("create", help=_("an empty album"))
    p.add_argument("name", metavar="NAME", help=_("the album"))
    p.add_argument("--description", default="", help=_("what it holds"))
    p.set_defaults(func=cmd_create)

    p = asub.add_parser("rename", help=_("give an album another name"))
    p.add_argument("name", metavar="NAME", help=_("the album"))
    p.add_argument("new_name", metavar="NEW_NAME", help=_("its new name"))
    p.set_defaults(func=cmd_rename)

    for verb, helptext in (
        ("move", N_("move images (by id) into another album")),
        ("copy", N_("copy images (by id) into another album; the files are shared")),
    ):
        p = asub.add_parser(verb, help=_(helptext))
        p.add_argument("ids", nargs="+", type=int, metavar="IMAGE_ID", help=_("the images' ids"))
        p.add_argument("--to", required=True, metavar="NAME", help=_("the album to put them in"))
        p.set_defaults(func=cmd_move if verb == "move" else cmd_copy)


def _check_page(args: argparse.Namespace) -> None:
    from inkbench.storage.errors import InvalidInput

    if args.limit < 1 or args.offset < 0:
        raise InvalidInput(_("--limit must be at least 1 and --offset at least 0"))


def cmd_import(args: argparse.Namespace) -> int:
    from inkbench.integrations.images import import_images

    db = open_db(args)
    with cancel_on_ctrl_c() as cancel:
        summary = import_images(
            db,
            args.name,
            args.paths,
            recursive=args.recursive,
            cancel=cancel,
            progress=None if args.json else Progress(_("importing")),
        )
    if args.json:
        print_json(summary.to_dict())
    else:
        for path, why in summary.skipped:
            print(_("skipped {path}: {why}").format(path=path, why=why))
        for path, error in summary.refused:
            warn(_("refused {path}: {error}").format(path=path, error=error))
        print(
            _(
                'album "{album_name}": imported {n}, skipped {n2} already there, refused {n3}'
            ).format(
                album_name=summary.album_name,
                n=len(summary.imported),
                n2=len(summary.skipped),
                n3=len(summary.refused),
            )
            + (" " + _("(created the album)") if summary.album_created else "")
        )
        if summary.imported:
            print(_("run `inkbench ocr run` to read the text in them"))
    return 1 if summary.refused else 0


def _images(n: int) -> str:
    return ngettext("{n} image", "{n} images", n).format(n=format_number(n))


def _ocr_line(a) -> str:
    o = a.ocr
    parts = [
        _("{n} with text").format(n=format_number(o["done"])),
        _("{n} without").format(n=format_number(o["no_text"])),
    ]
    if o["failed"]:
        parts.append(_("{n} failed").format(n=format_number(o["failed"])))
    waiting = o["pending"] + o["running"]
    if waiting:
        parts.append(_("{n} to do").format(n=format_number(waiting)))
    return _("OCR {finished}/{total} ({parts})").format(
        finished=a.ocr_finished, total=a.image_count, parts=_(", ").join(parts)
    )


def cmd_list(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import count_albums, list_albums

    _check_page(args)
    db = open_db(args)
    with db.raw(write=False) as conn:
        rows = list_albums(conn, offset=args.offset, limit=args.limit, trashed=args.trashed)
        total = count_albums(conn, trashed=args.trashed)
    if args.json:
        print_json([a.to_dict() for a in rows])
        return 0
    for a in rows:
        print(f"{a.id:>5}  {_images(a.image_count):>12}  {_ocr_line(a):<48} {a.name}")
    print(
        ngettext("{n} of {total} album", "{n} of {total} albums", total).format(
            n=len(rows), total=format_number(total)
        )
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import count_images, get_album_by_name, list_images

    _check_page(args)
    db = open_db(args)
    with db.raw(write=False) as conn:
        album = get_album_by_name(conn, args.name)
        rows = list_images(conn, album.id, offset=args.offset, limit=args.limit, status=args.status)
        total = count_images(conn, album.id, status=args.status)
    if args.json:
        print_json({"album": album.to_dict(), "images": [r.to_dict() for r in rows]})
        return 0
    print(
        _('album "{name}" (id {id}): {images}, {ocr_line}').format(
            name=album.name,
            id=album.id,
            images=_images(album.image_count),
            ocr_line=_ocr_line(album),
        )
    )
    for r in rows:
        size = f"{r.width}x{r.height}" if r.width else "?"
        conf = f" {r.ocr_confidence:.0f}%" if r.ocr_confidence is not None else ""
        status = f"{r.ocr_status:<8}{conf:<5}"
        taken = f"{r.taken_at:%Y-%m-%d}" if r.taken_at else "-"
        print(
            f"{r.id:>7}  {r.format or '?':<5} {size:>11}  {taken:<10}  {status} {r.original_name}"
        )
    print(
        ngettext("{n} of {total} image", "{n} of {total} images", total).format(
            n=len(rows), total=format_number(total)
        )
    )
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import create_album

    db = open_db(args)
    with db.raw() as conn:
        album_id = create_album(conn, args.name, args.description)
    print(_("album {album_id}: {name}").format(album_id=album_id, name=args.name))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import album_id_by_name, rename_album

    db = open_db(args)
    with db.raw() as conn:
        rename_album(conn, album_id_by_name(conn, args.name), args.new_name)
    print(_('renamed "{name}" to "{new_name}"').format(name=args.name, new_name=args.new_name))
    return 0


def _transfer(args: argparse.Namespace, verb: str) -> int:
    from inkbench.storage.albums import album_id_by_name, copy_images, move_images

    db = open_db(args)
    with db.raw() as conn:
        target = album_id_by_name(conn, args.to)
        fn = move_images if verb == "move" else copy_images
        done, skipped = fn(conn, args.ids, target)
    if verb == "move":
        line = ngettext('moved {n} image to "{to}"', 'moved {n} images to "{to}"', done)
    else:
        line = ngettext('copied {n} image to "{to}"', 'copied {n} images to "{to}"', done)
    extra = _(", skipped {n} already there").format(n=skipped) if skipped else ""
    print(line.format(n=done, to=args.to) + extra)
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    return _transfer(args, "move")


def cmd_copy(args: argparse.Namespace) -> int:
    return _transfer(args, "copy")
