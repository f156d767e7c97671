"""The global search covers the story bible: characters by name, alias and
description, world entries by title, alias and content; trashing an entry or
its work takes it out, restoring puts it back, and a reindex keeps it."""

from __future__ import annotations

from inkbench.storage import bible, trash, works
from inkbench.storage.search import ALL_KINDS, KINDS, search
from inkbench.storage.search_index import reindex


def _found(db, text: str) -> set[tuple[str, str]]:
    with db.raw(write=False) as conn:
        return {(h.kind, h.title) for h in search(conn, text, kinds=ALL_KINDS)}


def test_bible_entries_are_found_and_follow_every_change(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长夜")
        lin = bible.create_character(
            s, w.id, "林晚", aliases=["晚晚"], description="沉默寡言的剑客"
        )
        city = bible.create_world_entry(
            s, w.id, "青云城", aliases=["Azure City"], content="建在悬崖上的古城"
        )
    assert ("character", "林晚") in _found(db, "晚晚")
    assert ("character", "林晚") in _found(db, "剑客")
    assert ("world_entry", "青云城") in _found(db, "azure")
    assert ("world_entry", "青云城") in _found(db, "悬崖")
    with db.raw(write=False) as conn:  # the default kinds leave the bible out
        assert all(h.kind in KINDS for h in search(conn, "晚晚"))
        [hit] = search(conn, "剑客", kinds=ALL_KINDS)
        assert hit.parent_title == "长夜" and "晚晚" in hit.snippet.text

    with db.write() as s:
        bible.update_character(s, lin.id, aliases=["小晚"])
    assert ("character", "林晚") not in _found(db, "晚晚")
    assert ("character", "林晚") in _found(db, "小晚")

    with db.write() as s:
        trash.trash(s, "character", lin.id)
    assert _found(db, "剑客") == set()
    with db.write() as s:
        trash.restore(s, "character", lin.id)
    assert _found(db, "剑客") == {("character", "林晚")}

    with db.write() as s:
        trash.trash(s, "work", w.id)
    assert _found(db, "悬崖") == set() and _found(db, "剑客") == set()
    with db.write() as s:
        trash.restore(s, "work", w.id)
    assert _found(db, "悬崖") == {("world_entry", "青云城")}

    with db.raw() as conn:
        counts = reindex(conn)
    assert counts["search_character"] == 1 and counts["search_world_entry"] == 1
    assert _found(db, "azure") == {("world_entry", "青云城")}
    with db.write() as s:
        trash.trash(s, "world_entry", city.id)
        trash.purge(s, "world_entry", city.id)
    assert _found(db, "azure") == set()
