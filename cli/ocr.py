"""``inkbench ocr ...``: read the text in imported images, headless."""

from __future__ import annotations

import argparse
import sys

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, cancel_on_ctrl_c, print_json
from inkbench.i18n import _, format_number, ngettext, pgettext
from inkbench.tui.vocab import status_name

ENGINES = ("tesseract", "ppocr", "auto")
TESSERACT_BACKENDS = ("tesserocr", "pytesseract")


def register(sub: argparse._SubParsersAction) -> None:
    ocr = sub.add_parser("ocr", help=_("read the text in album images (tesseract or PP-OCR)"))
    osub = ocr.add_subparsers(title=_("ocr commands"), metavar="COMMAND", required=True)

    p = osub.add_parser("run", help=_("OCR the images waiting for it"))
    p.add_argument("album", nargs="?", metavar="ALBUM", help=_("only this album's images"))
    p.add_argument(
        "--again",
        action="store_true",
        help=_(
            "read ALBUM's images again (e.g. with another --engine); the old text stays"
            " searchable until the new text is in"
        ),
    )
    p.add_argument(
        "--workers", type=int, default=1, metavar="N", help=_("worker processes (default 1)")
    )
    p.add_argument(
        "--lang",
        metavar="LANGS",
        help=_("tesseract languages joined with + (default chi_sim+eng, as installed)"),
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--once",
        dest="until_empty",
        action="store_false",
        help=_("stop when nothing is ready now (do not wait for retries)"),
    )
    mode.add_argument(
        "--until-empty",
        dest="until_empty",
        action="store_true",
        help=_("keep going until every image is finished, waiting for retries (the default)"),
    )
    p.set_defaults(until_empty=True)
    p.add_argument(
        "--engine",
        choices=(*ENGINES, *TESSERACT_BACKENDS),
        default=None,
        help=_(
            "tesseract, ppocr (the inkbench[ppocr] extra) or auto (ppocr for Chinese when"
            " installed); default: each album's engine, else [ocr] engine in config.toml, else auto"
        ),
    )
    p.add_argument(
        "--lease-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help=_("how long a claimed image stays ours without renewal (default 60)"),
    )
    p.add_argument(
        "--retry-delay",
        type=float,
        default=None,
        metavar="S",
        help=_("wait before the first automatic retry of a failed image (default 10; then 6x)"),
    )
    p.add_argument("--json", action="store_true", help=_("print the summary as JSON"))
    p.set_defaults(func=cmd_run)

    p = osub.add_parser("retry-failed", help=_("put failed images back in the queue"))
    p.add_argument("--album", metavar="NAME", help=_("only this album"))
    p.set_defaults(func=cmd_retry)

    p = osub.add_parser("status", help=_("OCR status counts, engine and languages"))
    p.add_argument("--album", metavar="NAME", help=_("only this album"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_status)

    p = osub.add_parser("engine", help=_("show or set the OCR engine an album uses"))
    p.add_argument("album", metavar="ALBUM", help=_("the album"))
    p.add_argument(
        "engine",
        nargs="?",
        choices=(*ENGINES, "default"),
        help=_("tesseract, ppocr or auto; default: config.toml's [ocr] engine"),
    )
    p.set_defaults(func=cmd_engine)

    p = osub.add_parser("show", help=_("the text found in one image"))
    p.add_argument("id", type=int, metavar="IMAGE_ID", help=_("the image"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)


def cmd_run(args: argparse.Namespace) -> int:
    from inkbench.integrations.ocr.runner import run_ocr
    from inkbench.storage.albums import BACKOFF_SECONDS
    from inkbench.storage.errors import InvalidInput

    if args.workers < 1:
        raise InvalidInput(_("--workers must be at least 1"))
    if args.lease_seconds <= 0:
        raise InvalidInput(_("--lease-seconds must be more than 0"))
    if args.again and not args.album:
        print("inkbench: " + _("--again needs the ALBUM to read again"), file=sys.stderr)
        return 2
    db = open_db(args)
    album_id = None
    if args.album:
        from inkbench.storage.albums import album_id_by_name, reread_album

        with db.raw() as conn:
            album_id = album_id_by_name(conn, args.album)
    if args.again:
        from inkbench.integrations.ocr import choice

        # say now what cannot run, before any image is queued again
        choice.require(args.engine or "tesseract")
        with db.raw() as conn:
            queued = reread_album(conn, album_id)
        if not args.json:
            print(
                ngettext(
                    "{n} image of {album} to read again; its text stays until then",
                    "{n} images of {album} to read again; their text stays until then",
                    queued,
                ).format(n=queued, album=args.album)
            )
    with cancel_on_ctrl_c() as cancel:
        summary = run_ocr(
            db,
            cancel=cancel,
            album_id=album_id,
            workers=args.workers,
            lang=args.lang,
            until_empty=args.until_empty,
            lease_seconds=args.lease_seconds,
            backoff_base=BACKOFF_SECONDS if args.retry_delay is None else max(args.retry_delay, 0),
            engine=args.engine,
            progress=None if args.json else Progress(pgettext("job", "OCR")),
        )
    if args.json:
        print_json(summary.to_dict())
    else:
        for error in summary.worker_errors:
            print(f"inkbench: {error}")
        print(
            ngettext(
                "OCR ({engine}, {lang}, {workers} worker): {done} with text, "
                "{no_text} without, {failed} failed",
                "OCR ({engine}, {lang}, {workers} workers): {done} with text, "
                "{no_text} without, {failed} failed",
                summary.workers,
            ).format(
                engine=summary.engine,
                lang=summary.lang,
                workers=summary.workers,
                done=summary.done,
                no_text=summary.no_text,
                failed=summary.failed,
            )
            + (
                _(", {n} still to do").format(n=format_number(summary.remaining))
                if summary.remaining
                else ""
            )
        )
    return 1 if summary.worker_errors and not summary.processed else 0


def cmd_engine(args: argparse.Namespace) -> int:
    from inkbench.integrations.ocr import choice
    from inkbench.storage.albums import album_engine, album_id_by_name, set_album_engine

    db = open_db(args)
    default = choice.configured_engine(db.home) or "auto"
    if args.engine is None:
        with db.raw(write=False) as conn:
            own = album_engine(conn, album_id_by_name(conn, args.album))
        if own:
            print(_("{album}: {engine}").format(album=args.album, engine=own))
        else:
            print(_("{album}: {engine} (the default)").format(album=args.album, engine=default))
        return 0
    engine = None if args.engine == "default" else args.engine
    if engine == "ppocr":
        choice.require(engine)
    with db.raw() as conn:
        set_album_engine(conn, album_id_by_name(conn, args.album), engine)
    if engine:
        print(_("{album} is read with {engine}").format(album=args.album, engine=engine))
    else:
        print(
            _("{album} is read with {engine} (the default)").format(
                album=args.album, engine=default
            )
        )
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import album_id_by_name, retry_failed

    db = open_db(args)
    with db.raw() as conn:
        album_id = album_id_by_name(conn, args.album) if args.album else None
        n = retry_failed(conn, album_id=album_id)
    print(
        ngettext(
            "{n} failed image back in the queue; run `inkbench ocr run`",
            "{n} failed images back in the queue; run `inkbench ocr run`",
            n,
        ).format(n=n)
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from inkbench.integrations.ocr import choice, ppocr
    from inkbench.integrations.ocr.engine import (
        installed_languages,
        tessdata_dir,
        tesserocr_available,
    )
    from inkbench.storage.albums import album_id_by_name, ocr_workers_holding, status_counts

    db = open_db(args)
    with db.raw(write=False) as conn:
        album_id = album_id_by_name(conn, args.album) if args.album else None
        counts = status_counts(conn, album_id=album_id)
        running = ocr_workers_holding(conn)
    tessdata = tessdata_dir()
    data = {
        "counts": counts,
        "workers_holding_images": running,
        "engine": "tesserocr" if tesserocr_available() else "pytesseract",
        "tessdata": str(tessdata) if tessdata else None,
        "languages": installed_languages(tessdata) if tessdata else [],
        "ppocr": ppocr.model_version() if ppocr.available() else None,
        "default_engine": choice.configured_engine(db.home) or "auto",
    }
    if args.json:
        print_json(data)
        return 0
    counted = _(", ").join(f"{status_name(k)} {format_number(v)}" for k, v in counts.items())
    print(_("OCR: {counts}").format(counts=counted))
    langs = _(", ").join(data["languages"]) or _("none (install tesseract-ocr-eng)")
    print(_("tesseract: {engine}; languages {langs}").format(engine=data["engine"], langs=langs))
    print(
        _("ppocr: {state}").format(
            state=data["ppocr"] or _("not installed ({hint})").format(hint=ppocr.INSTALL_HINT)
        )
    )
    print(_("default engine: {engine}").format(engine=data["default_engine"]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import get_image

    db = open_db(args)
    with db.raw(write=False) as conn:
        image = get_image(conn, args.id)
    if args.json:
        print_json(image.to_dict())
        return 0
    r = image.row
    conf = (
        _(", confidence {n:.0f}").format(n=r.ocr_confidence) if r.ocr_confidence is not None else ""
    )
    print(
        _('image {id} "{name}" in "{album}": {status}').format(
            id=r.id, name=r.original_name, album=image.album_name, status=status_name(r.ocr_status)
        )
        + conf
    )
    if image.ocr_engine:
        print(_("read by {model}").format(model=image.ocr_model or image.ocr_engine))
    if r.ocr_error:
        print(_("error: {error}").format(error=r.ocr_error))
    if image.ocr_text:
        print(image.ocr_text)
    return 0
