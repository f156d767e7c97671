from __future__ import annotations

import multiprocessing as mp
from datetime import timedelta

from inkbench.storage import blobs, leases
from inkbench.storage.engine import open_database
from inkbench.storage.models import db_time, utcnow


def _album_with_images(db, n: int) -> None:
    now = db_time(utcnow())
    with db.raw() as conn:
        conn.execute(
            "INSERT INTO album (name, description, created_at, updated_at) VALUES ('a','',?,?)",
            (now, now),
        )
        for i in range(n):
            sha = f"{i:064x}"
            blobs.register(conn, sha, 1)
            conn.execute(
                "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, ocr_status,"
                " ocr_attempts, created_at) VALUES (1, ?, ?, 1, 'pending', 0, ?)",
                (sha, f"{i}.png", now),
            )


def test_claim_takes_each_row_once_and_expired_leases_come_back(db) -> None:
    _album_with_images(db, 3)
    got = []
    with db.raw() as conn:
        for _ in range(4):
            got.append(leases.claim(conn, leases.IMAGE_OCR, "w1", 60))
    assert got == [1, 2, 3, None]
    later = utcnow() + timedelta(seconds=120)
    with db.raw() as conn:
        assert leases.claim(conn, leases.IMAGE_OCR, "w2", 60, now=later) == 1
        assert not leases.renew(conn, leases.IMAGE_OCR, 1, "w1", 60)  # lost it
        assert leases.renew(conn, leases.IMAGE_OCR, 1, "w2", 60)
        attempts = conn.execute("SELECT ocr_attempts FROM image WHERE id = 1").fetchone()[0]
    assert attempts == 2


def _claim_all(home: str, out: mp.Queue) -> None:
    db = open_database(home)
    mine = []
    owner = leases.worker_name("test")
    while True:
        with db.raw() as conn:
            row = leases.claim(conn, leases.IMAGE_OCR, owner, 60)
            if row is None:
                break
            conn.execute("UPDATE image SET ocr_status = 'done' WHERE id = ?", (row,))
        mine.append(row)
    out.put(mine)


def test_processes_never_claim_the_same_row(db, home) -> None:
    _album_with_images(db, 300)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim_all, args=(str(home), out)) for _ in range(3)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    claimed = [r for part in results for r in part]
    assert sorted(claimed) == list(range(1, 301))
