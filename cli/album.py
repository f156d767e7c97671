"""``inkbench album ...``: import images, list albums, show one, rename, move
and copy images between albums."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, cancel_on_ctrl_c, print_json, warn


def register(sub: argparse._SubParsersAction) -> None:
    alb = sub.add_parser("album", help="image albums: import, list, show, move and copy")
    asub = alb.add_subparsers(title="album commands", metavar="COMMAND", required=True)

    p = asub.add_parser(
        "import", help="import image files (or folders of them) into an album, creating it"
    )
    p.add_argument("name", metavar="NAME", help="the album (created if there is none)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--recursive", "-r", action="store_true", help="go into sub-folders too")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_import)

    p = asub.add_parser("list", help="albums with image counts and OCR progress")
    p.add_argument("--limit", type=int, default=100, help="how many (default 100)")
    p.add_argument("--offset", type=int, default=0, help="skip this many")
    p.add_argument("--trashed", action="store_true", help="list the albums in the Trash")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = asub.add_parser(
        "show",
        help="one album's images, a page at a time: format, upright size, date taken, OCR",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--limit", type=int, default=100, help="how many (default 100)")
    p.add_argument("--offset", type=int, default=0, help="skip this many")
    p.add_argument("--status", help="only this OCR status (pending, running, done, ...)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    p = asub.add_parser("create", help="an empty album")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--description", default="", help="what it holds")
    p.set_defaults(func=cmd_create)

    p = asub.add_parser("rename", help="give an album another name")
    p.add_argument("name", metavar="NAME")
    p.add_argument("new_name", metavar="NEW_NAME")
    p.set_defaults(func=cmd_rename)

    for verb, helptext in (
        ("move", "move images (by id) into another album"),
        ("copy", "copy images (by id) into another album; the files are shared"),
    ):
        p = asub.add_parser(verb, help=helptext)
        p.add_argument("ids", nargs="+", type=int, metavar="IMAGE_ID")
        p.add_argument("--to", required=True, metavar="NAME", help="the album to put them in")
        p.set_defaults(func=cmd_move if verb == "move" else cmd_copy)


def _check_page(args: argparse.Namespace) -> None:
    from inkbench.storage.errors import InvalidInput

    if args.limit < 1 or args.offset < 0:
        raise InvalidInput("--limit must be at least 1 and --offset at least 0")


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
            progress=None if args.json else Progress("importing"),
        )
    if args.json:
        print_json(summary.to_dict())
    else:
        for path, why in summary.skipped:
            print(f"skipped {path}: {why}")
        for path, error in summary.refused:
            warn(f"refused {path}: {error}")
        print(
            f'album "{summary.album_name}": imported {len(summary.imported)}, '
            f"skipped {len(summary.skipped)} already there, refused {len(summary.refused)}"
            + (" (created the album)" if summary.album_created else "")
        )
        if summary.imported:
            print("run `inkbench ocr run` to read the text in them")
    return 1 if summary.refused else 0


def _ocr_line(a) -> str:
    o = a.ocr
    parts = [f"{o['done']} text", f"{o['no_text']} none"]
    if o["failed"]:
        parts.append(f"{o['failed']} failed")
    waiting = o["pending"] + o["running"]
    if waiting:
        parts.append(f"{waiting} to do")
    return f"OCR {a.ocr_finished}/{a.image_count} ({', '.join(parts)})"


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
        print(f"{a.id:>5}  {a.image_count:>7} images  {_ocr_line(a):<48} {a.name}")
    print(f"{len(rows)} of {total} album(s)")
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
    print(f'album "{album.name}" (id {album.id}): {album.image_count} images, {_ocr_line(album)}')
    for r in rows:
        size = f"{r.width}x{r.height}" if r.width else "?"
        conf = f" {r.ocr_confidence:.0f}%" if r.ocr_confidence is not None else ""
        status = f"{r.ocr_status:<8}{conf:<5}"
        taken = f"{r.taken_at:%Y-%m-%d}" if r.taken_at else "-"
        print(
            f"{r.id:>7}  {r.format or '?':<5} {size:>11}  {taken:<10}  {status} {r.original_name}"
        )
    print(f"{len(rows)} of {total} image(s)")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import create_album

    db = open_db(args)
    with db.raw() as conn:
        album_id = create_album(conn, args.name, args.description)
    print(f"album {album_id}: {args.name}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import album_id_by_name, rename_album

    db = open_db(args)
    with db.raw() as conn:
        rename_album(conn, album_id_by_name(conn, args.name), args.new_name)
    print(f'renamed "{args.name}" to "{args.new_name}"')
    return 0


def _transfer(args: argparse.Namespace, verb: str) -> int:
    from inkbench.storage.albums import album_id_by_name, copy_images, move_images

    db = open_db(args)
    with db.raw() as conn:
        target = album_id_by_name(conn, args.to)
        fn = move_images if verb == "move" else copy_images
        done, skipped = fn(conn, args.ids, target)
    past = "moved" if verb == "move" else "copied"
    extra = f", skipped {skipped} already there" if skipped else ""
    print(f'{past} {done} image(s) to "{args.to}"{extra}')
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    return _transfer(args, "move")


def cmd_copy(args: argparse.Namespace) -> int:
    return _transfer(args, "copy")
