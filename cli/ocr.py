"""``inkbench ocr ...``: read the text in imported images, headless."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, cancel_on_ctrl_c, print_json


def register(sub: argparse._SubParsersAction) -> None:
    ocr = sub.add_parser("ocr", help="read the text in album images (tesseract)")
    osub = ocr.add_subparsers(title="ocr commands", metavar="COMMAND", required=True)

    p = osub.add_parser("run", help="OCR the images waiting for it")
    p.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes (default 1)"
    )
    p.add_argument(
        "--lang",
        metavar="LANGS",
        help="tesseract languages joined with + (default chi_sim+eng, as installed)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--once",
        dest="until_empty",
        action="store_false",
        help="stop when nothing is ready now (do not wait for retries)",
    )
    mode.add_argument(
        "--until-empty",
        dest="until_empty",
        action="store_true",
        help="keep going until every image is finished, waiting for retries (the default)",
    )
    p.set_defaults(until_empty=True)
    p.add_argument(
        "--engine",
        choices=("auto", "tesserocr", "pytesseract"),
        default="auto",
        help="tesserocr (fast, default when installed) or pytesseract",
    )
    p.add_argument(
        "--lease-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="how long a claimed image stays ours without renewal (default 60)",
    )
    p.add_argument(
        "--retry-delay",
        type=float,
        default=None,
        metavar="S",
        help="wait before the first automatic retry of a failed image (default 10; then 6x)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_run)

    p = osub.add_parser("retry-failed", help="put failed images back in the queue")
    p.add_argument("--album", metavar="NAME", help="only this album")
    p.set_defaults(func=cmd_retry)

    p = osub.add_parser("status", help="OCR status counts, engine and languages")
    p.add_argument("--album", metavar="NAME", help="only this album")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_status)

    p = osub.add_parser("show", help="the text found in one image")
    p.add_argument("id", type=int, metavar="IMAGE_ID")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)


def cmd_run(args: argparse.Namespace) -> int:
    from inkbench.integrations.ocr.runner import run_ocr
    from inkbench.storage.albums import BACKOFF_SECONDS
    from inkbench.storage.errors import InvalidInput

    if args.workers < 1:
        raise InvalidInput("--workers must be at least 1")
    if args.lease_seconds <= 0:
        raise InvalidInput("--lease-seconds must be more than 0")
    db = open_db(args)
    with cancel_on_ctrl_c() as cancel:
        summary = run_ocr(
            db,
            cancel=cancel,
            workers=args.workers,
            lang=args.lang,
            until_empty=args.until_empty,
            lease_seconds=args.lease_seconds,
            backoff_base=BACKOFF_SECONDS if args.retry_delay is None else max(args.retry_delay, 0),
            engine=args.engine,
            progress=None if args.json else Progress("OCR"),
        )
    if args.json:
        print_json(summary.to_dict())
    else:
        for error in summary.worker_errors:
            print(f"inkbench: {error}")
        print(
            f"OCR ({summary.engine}, {summary.lang}, {summary.workers} worker(s)): "
            f"{summary.done} with text, {summary.no_text} without, {summary.failed} failed"
            + (f", {summary.remaining} still to do" if summary.remaining else "")
        )
    return 1 if summary.worker_errors and not summary.processed else 0


def cmd_retry(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import album_id_by_name, retry_failed

    db = open_db(args)
    with db.raw() as conn:
        album_id = album_id_by_name(conn, args.album) if args.album else None
        n = retry_failed(conn, album_id=album_id)
    print(f"{n} failed image(s) back in the queue; run `inkbench ocr run`")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from inkbench.integrations.ocr.engine import (
        installed_languages,
        tessdata_dir,
        tesserocr_available,
    )
    from inkbench.storage.albums import album_id_by_name, status_counts

    db = open_db(args)
    with db.raw(write=False) as conn:
        album_id = album_id_by_name(conn, args.album) if args.album else None
        counts = status_counts(conn, album_id=album_id)
        running = conn.execute(
            "SELECT count(DISTINCT ocr_lease_owner) FROM image WHERE ocr_status = 'running'"
        ).fetchone()[0]
    tessdata = tessdata_dir()
    data = {
        "counts": counts,
        "workers_holding_images": running,
        "engine": "tesserocr" if tesserocr_available() else "pytesseract",
        "tessdata": str(tessdata) if tessdata else None,
        "languages": installed_languages(tessdata) if tessdata else [],
    }
    if args.json:
        print_json(data)
        return 0
    print("OCR: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    langs = ", ".join(data["languages"]) or "none (install tesseract-ocr-eng)"
    print(f"engine {data['engine']}; languages {langs}")
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
    conf = f", confidence {r.ocr_confidence:.0f}" if r.ocr_confidence is not None else ""
    print(f'image {r.id} "{r.original_name}" in "{image.album_name}": {r.ocr_status}{conf}')
    if r.ocr_error:
        print(f"error: {r.ocr_error}")
    if image.ocr_text:
        print(image.ocr_text)
    return 0
