"""Albums, image lists, move/copy, and the OCR state machine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inkbench.storage import albums, blobs, leases
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import db_time, utcnow
from inkbench.storage.search import search
from inkbench.storage.trash import restore, trash


def _image(conn, album_id: int, n: int, name: str | None = None) -> int:
    """An image row with a blob row of its own (no file needed here)."""
    sha = f"{n:064x}"
    blobs.register(conn, sha, 1)
    cur = conn.execute(
        "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, ocr_status,"
        " ocr_attempts, created_at) VALUES (?, ?, ?, 1, 'pending', 0, ?)",
        (album_id, sha, name or f"img{n}.png", db_time(utcnow())),
    )
    return cur.lastrowid


def _claim(conn, owner="w1", lease=60.0, now=None):
    return leases.claim(conn, leases.IMAGE_OCR, owner, lease, now=now)


def test_create_rename_and_find_by_name(db) -> None:
    with db.raw() as conn:
        a = albums.create_album(conn, "  Holiday   2024 ")
        assert albums.album_id_by_name(conn, "Holiday 2024") == a
        with pytest.raises(InvalidInput, match="already exists"):
            albums.create_album(conn, "Holiday 2024")
        with pytest.raises(InvalidInput, match="needs a name"):
            albums.create_album(conn, "   ")
        b = albums.create_album(conn, "Receipts")
        with pytest.raises(InvalidInput, match="already exists"):
            albums.rename_album(conn, b, "Holiday 2024")
        albums.rename_album(conn, b, "Receipts [2024]")
        assert albums.get_album_by_name(conn, "Receipts [2024]").id == b
        with pytest.raises(NotFound, match="no album called"):
            albums.album_id_by_name(conn, "Receipts")
        assert albums.get_or_create_album(conn, "Holiday 2024") == (a, False)
        c, created = albums.get_or_create_album(conn, "New")
        assert created and c not in (a, b)


def test_a_trashed_album_frees_its_name_and_cannot_receive_images(db) -> None:
    with db.raw() as conn:
        a = albums.create_album(conn, "Old")
        img = _image(conn, a, 1)
    with db.write() as session:
        trash(session, "album", a)
    with db.raw() as conn:
        assert albums.find_album_id(conn, "Old") is None
        b = albums.create_album(conn, "Old")
        assert b != a
        with pytest.raises(InvalidInput, match="in the Trash"):
            albums.move_images(conn, [img], a)
        assert [x.id for x in albums.list_albums(conn, trashed=True)] == [a]


def test_lists_are_paged_with_counts_and_ocr_progress(db) -> None:
    with db.raw() as conn:
        ids = [albums.create_album(conn, f"album {i:02d}") for i in range(5)]
        for n in range(7):
            _image(conn, ids[0], n)
        _image(conn, ids[1], 100)
        # two of album 0 finished: one with text, one without
        for _ in range(2):
            _claim(conn)
        albums.finish_ocr(conn, 1, "w1", text="hello", lang="eng", confidence=90.0)
        albums.finish_ocr(conn, 2, "w1", text="  \n", lang="eng", confidence=None)
    with db.raw(write=False) as conn:
        page = albums.list_albums(conn, offset=0, limit=2)
        assert [a.name for a in page] == ["album 00", "album 01"]
        assert [a.name for a in albums.list_albums(conn, offset=4, limit=2)] == ["album 04"]
        first = page[0]
        assert first.image_count == 7
        assert first.ocr["done"] == 1 and first.ocr["no_text"] == 1 and first.ocr["pending"] == 5
        assert first.ocr_finished == 2
        assert albums.count_albums(conn) == 5
        rows = albums.list_images(conn, ids[0], offset=2, limit=3)
        assert [r.original_name for r in rows] == ["img2.png", "img3.png", "img4.png"]
        assert albums.count_images(conn, ids[0], status="pending") == 5
        assert [r.id for r in albums.list_images(conn, ids[0], status="no_text")] == [2]
        with pytest.raises(InvalidInput, match="unknown OCR status"):
            albums.list_images(conn, ids[0], status="weird")
        assert albums.status_counts(conn) == {
            "pending": 6,
            "running": 0,
            "done": 1,
            "no_text": 1,
            "failed": 0,
        }


def test_ocr_text_is_searchable_in_the_same_transaction(db) -> None:
    with db.raw() as conn:
        a = albums.create_album(conn, "Scans")
        img = _image(conn, a, 1, name="receipt.png")
        assert _claim(conn) == img
        assert search(conn, "发票") == []
        status = albums.finish_ocr(
            conn, img, "w1", text="增值税发票 Invoice 42", lang="chi_sim+eng", confidence=88.5
        )
        assert status == "done"
        hits = search(conn, "发票")  # same transaction, not yet committed
        assert [(h.kind, h.id) for h in hits] == [("image", img)]
    with db.raw(write=False) as conn:
        detail = albums.get_image(conn, img)
        assert detail.ocr_text == "增值税发票 Invoice 42"
        assert detail.row.ocr_status == "done"
        assert detail.row.ocr_confidence == 88.5
        assert detail.row.ocr_lang == "chi_sim+eng"
        assert detail.row.ocr_finished_at is not None
        assert detail.album_name == "Scans"
        assert [h.id for h in search(conn, "invoice")] == [img]


def test_failures_back_off_three_times_then_wait_for_the_user(db) -> None:
    with db.raw() as conn:
        a = albums.create_album(conn, "Scans")
        img = _image(conn, a, 1)
    now = utcnow()
    for attempt in (1, 2, 3):
        with db.raw() as conn:
            assert _claim(conn, now=now) == img
            assert albums.fail_ocr(conn, img, "w1", "tesseract said:\nno\tway", backoff_base=10)
            row = albums.get_image(conn, img)
            assert row.row.ocr_status == "failed"
            assert row.row.ocr_attempts == attempt
            assert row.row.ocr_error == "tesseract said: no way"  # one line
            if attempt < 3:
                wait = row.ocr_next_attempt_at - utcnow()
                assert wait >= albums.backoff(attempt, 10) - timedelta(seconds=5)
                assert albums.requeue_due(conn, now=utcnow()) == 0  # not yet
                assert albums.outstanding(conn) == 1
                now = row.ocr_next_attempt_at + timedelta(seconds=1)
                assert albums.requeue_due(conn, now=now) == 1
                assert albums.get_image(conn, img).row.ocr_status == "pending"
            else:
                assert row.ocr_next_attempt_at is None
    with db.raw() as conn:
        far = now + timedelta(days=30)
        assert albums.requeue_due(conn, now=far) == 0
        assert _claim(conn, now=far) is None
        assert albums.outstanding(conn) == 0
        assert albums.retry_failed(conn, album_id=a) == 1
        row = albums.get_image(conn, img).row
        assert (row.ocr_status, row.ocr_attempts, row.ocr_error) == ("pending", 0, None)
        assert _claim(conn) == img


def test_a_worker_that_lost_its_lease_cannot_record_a_result(db) -> None:
    with db.raw() as conn:
        a = albums.create_album(conn, "Scans")
        img = _image(conn, a, 1)
        assert _claim(conn, "w1", lease=1) == img
    later = utcnow() + timedelta(seconds=30)
    with db.raw() as conn:
        assert _claim(conn, "w2", now=later) == img  # w1 was presumed dead
        assert albums.finish_ocr(conn, img, "w1", text="late", lang="eng", confidence=1) is None
        assert not albums.fail_ocr(conn, img, "w1", "late")
        assert albums.finish_ocr(conn, img, "w2", text="", lang="eng", confidence=None) == "no_text"
        row = albums.get_image(conn, img)
        assert row.row.ocr_status == "no_text" and row.ocr_text is None
        assert row.row.ocr_attempts == 2


def test_move_and_copy_between_albums(db) -> None:
    with db.raw() as conn:
        a = albums.create_album(conn, "A")
        b = albums.create_album(conn, "B")
        x = _image(conn, a, 1, name="x.png")
        y = _image(conn, a, 2, name="y.png")
        _claim(conn)
        albums.finish_ocr(conn, x, "w1", text="kangaroo crossing", lang="eng", confidence=91)
        copied, skipped = albums.copy_images(conn, [x, y], b)
        assert (copied, skipped) == (2, 0)
        assert albums.copy_images(conn, [x], b) == (0, 1)  # B holds that file already
        rows = {r.original_name: r for r in albums.list_images(conn, b)}
        assert rows["x.png"].ocr_status == "done" and rows["y.png"].ocr_status == "pending"
        assert rows["x.png"].blob_sha == f"{1:064x}"
        assert len(search(conn, "kangaroo")) == 2
        assert albums.move_images(conn, [x], b) == (0, 1)  # same file there: stays put
        c = albums.create_album(conn, "C")
        assert albums.move_images(conn, [x, y], c) == (2, 0)
        assert albums.count_images(conn, a) == 0 and albums.count_images(conn, c) == 2
        with pytest.raises(NotFound):
            albums.move_images(conn, [999], c)
    with db.write() as session:
        trash(session, "album", c)
    with db.raw() as conn:
        assert {h.id for h in search(conn, "kangaroo")} == {rows["x.png"].id}
        # moving out of a trashed album makes the text searchable again
        assert albums.move_images(conn, [x], a) == (1, 0)
        assert {h.id for h in search(conn, "kangaroo")} == {rows["x.png"].id, x}
    with db.write() as session:
        restore(session, "album", c)
    with db.raw(write=False) as conn:
        assert albums.count_images(conn, c) == 1
