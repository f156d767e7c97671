from __future__ import annotations

import pytest

from inkbench.storage import blobs
from inkbench.storage.errors import InUse, InvalidInput
from inkbench.storage.knowledge import (
    add_document,
    count_kbs,
    create_kb,
    list_chunks,
    list_documents,
    list_kbs,
    rename_kb,
    restore_document,
    restore_kb,
    retrieval_terms,
    retrieve,
    trash_document,
    trash_kb,
)
from inkbench.storage.models import GenerationTask


def _doc(db, kb_id: int, sha: str, chunks, title: str = "doc"):
    with db.raw() as conn:
        blobs.register(conn, sha, 1)
        return add_document(
            conn,
            kb_id,
            title=title,
            text="\n\n".join(t for _h, t in chunks),
            chunks=chunks,
            blob_sha=sha,
        )


def test_create_rename_list_with_counts(db) -> None:
    with db.write() as s:
        a = create_kb(s, "Solar")
        b = create_kb(s, "Tea")
        with pytest.raises(InvalidInput, match="exists"):
            create_kb(s, "Solar")
    _doc(db, a.id, "a" * 64, [("", "one"), ("H", "two")])
    with db.write() as s:
        rename_kb(s, b.id, "Green tea")
        with pytest.raises(InvalidInput, match="exists"):
            rename_kb(s, b.id, "Solar")
    with db.read() as s:
        rows = list_kbs(s)
        assert [(r.name, r.documents, r.chunks) for r in rows] == [
            ("Green tea", 0, 0),
            ("Solar", 1, 2),
        ]
        assert [r.name for r in list_kbs(s, limit=1, offset=1)] == ["Solar"]
        assert count_kbs(s) == 2


def test_same_file_twice_is_stored_once_and_a_trashed_one_comes_back(db) -> None:
    with db.write() as s:
        kb = create_kb(s, "kb")
    first = _doc(db, kb.id, "b" * 64, [("", "alpha beta"), ("", "gamma")])
    again = _doc(db, kb.id, "b" * 64, [("", "alpha beta"), ("", "gamma")])
    assert first.created and not again.created and again.id == first.id
    with db.raw() as conn:
        assert conn.execute("SELECT count(*) FROM kb_document").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM kb_chunk").fetchone()[0] == 2
    with db.write() as s:
        trash_document(s, first.id)
    back = _doc(db, kb.id, "b" * 64, [("", "alpha beta")])
    assert back.restored and back.id == first.id
    with db.read() as s:
        assert [c.text for c in list_chunks(s, first.id)] == ["alpha beta", "gamma"]


def test_retrieval_ors_significant_terms_and_keeps_the_source(db) -> None:
    with db.write() as s:
        kb = create_kb(s, "energy")
        other = create_kb(s, "other")
    _doc(
        db,
        kb.id,
        "c" * 64,
        [
            ("Panels", "Monocrystalline solar panels convert sunlight at high efficiency."),
            ("Batteries", "Home batteries store energy for the evening."),
            ("", "An unrelated paragraph about gardening and roses."),
            ("逆变器", "逆变器把太阳能板的直流电转换成交流电。"),
        ],
        title="Solar guide",
    )
    _doc(db, other.id, "d" * 64, [("", "solar panels in another base")])
    with db.raw(write=False) as conn:
        hits = retrieve(conn, kb.id, "How efficient are solar panels in winter?")
        assert hits and "Monocrystalline" in hits[0].text
        assert hits[0].document_title == "Solar guide" and hits[0].heading == "Panels"
        assert all("another base" not in h.text for h in hits)
        zh = retrieve(conn, kb.id, "逆变器有什么作用？")
        assert zh and zh[0].heading == "逆变器"
        # FTS syntax in a topic is only text
        assert retrieve(conn, kb.id, 'NEAR( "solar* OR ) :') != []
        assert retrieve(conn, kb.id, "") == []
    assert "什么" not in retrieval_terms("逆变器有什么作用")
    assert "the" not in retrieval_terms("the solar panels")


def test_fts_syntax_in_a_topic_is_plain_text(db) -> None:
    with db.write() as s:
        kb = create_kb(s, "kb")
    doc = _doc(db, kb.id, "e" * 64, [("", "near and or not solar"), ("", "wind turbines")])
    with db.read() as s:
        syntax, wind = (c.id for c in list_chunks(s, doc.id))
    # each topic's words, as plain text, pick the passages holding them
    expected = {
        'NEAR("a" b)': [syntax],
        "solar*": [syntax],
        "(wind)": [wind],
        "solar OR wind": [syntax, wind],  # "or" is a word of the first passage too
        "wind NOT solar": [syntax, wind],
        "a:b": [],
        '"': [],
        "(": [],
        "OR AND NOT": [syntax],  # only stop words: they are what there is to search
        "^x": [],
    }
    with db.raw(write=False) as conn:
        for topic, chunks in expected.items():
            assert sorted(h.chunk_id for h in retrieve(conn, kb.id, topic)) == chunks, topic
        assert [h.chunk_id for h in retrieve(conn, kb.id, "solar NEAR")] == [syntax]


def test_trashed_documents_and_bases_leave_retrieval(db) -> None:
    with db.write() as s:
        kb = create_kb(s, "kb")
    doc = _doc(db, kb.id, "f" * 64, [("", "photovoltaic module wiring")])
    with db.write() as s:
        trash_document(s, doc.id)
    with db.raw(write=False) as conn:
        assert retrieve(conn, kb.id, "photovoltaic wiring") == []
    with db.write() as s:
        restore_document(s, doc.id)
        trash_kb(s, kb.id)
    with db.read() as s:
        assert list_kbs(s) == [] and len(list_kbs(s, trashed=True)) == 1
    with db.write() as s:
        restore_kb(s, kb.id)
    with db.raw(write=False) as conn:
        assert [h.chunk_id for h in retrieve(conn, kb.id, "photovoltaic")] != []
    with db.read() as s:
        assert [d.title for d in list_documents(s, kb.id)] == ["doc"]


def test_trash_refused_while_an_active_task_uses_the_base(db) -> None:
    with db.write() as s:
        kb = create_kb(s, "busy")
        s.add(GenerationTask(name="spring campaign", knowledge_base_id=kb.id, status="queued"))
    with db.write() as s, pytest.raises(InUse, match="spring campaign"):
        trash_kb(s, kb.id)
