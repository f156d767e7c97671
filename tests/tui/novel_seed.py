"""A story bible on the seeded work (tests/tui/helpers.seed): characters
with aliases and a relationship, world entries in a tree, scenes, tags, and
chapter text that names them. Fixed content, so screens are deterministic."""

from __future__ import annotations

from pathlib import Path


def seed_novel(home: Path, ids: dict[str, int]) -> dict[str, int]:
    """Add the bible to ``ids["work"]``; returns the new ids by name."""
    from inkbench.storage.bible import create_character, create_world_entry, relate
    from inkbench.storage.engine import open_database
    from inkbench.storage.scenes import add_scene
    from inkbench.storage.tags import create_tag, tag_chapter
    from inkbench.storage.works import update_chapter
    from tests.tui.helpers import fix_times

    db = open_database(home)
    out: dict[str, int] = {}
    with db.write() as s:
        work = ids["work"]
        update_chapter(
            s,
            ids["chapter0"],
            body="They left at dawn. 林晚 looked back at the harbor.\n"
            "晚晚 said nothing; Marco [b]waved[/b].\n林晚笑了。\n",
        )
        update_chapter(s, ids["chapter1"], body="Waves. 大海很大。\n林晚 saw the Isle of Vey.\n")
        lin = create_character(
            s, work, "林晚", aliases=["晚晚"], role="protagonist", description="A [b]sailor[/b]."
        )
        marco = create_character(s, work, "Marco", role="supporting", age="40")
        relate(s, lin.id, marco.id, "friend", "since childhood")
        sea = create_world_entry(s, work, "The Sea", category="geography", content="Wide.")
        isle = create_world_entry(
            s, work, "Isle of Vey", category="geography", parent_id=sea.id, character_ids=[lin.id]
        )
        harbor = create_world_entry(s, work, "harbor", category="geography", parent_id=isle.id)
        scene = add_scene(
            s,
            ids["chapter0"],
            synopsis="Leaving the harbor",
            location_id=harbor.id,
            character_ids=[lin.id, marco.id],
            at=0,
        )
        scene2 = add_scene(s, ids["chapter0"], synopsis="[i]Quiet[/i] farewell", mood="sad")
        tag = create_tag(s, work, "[red]plot", color="#c0392b", description="Main plot")
        tag_chapter(s, tag.id, ids["chapter0"])
        out.update(
            lin=lin.id,
            marco=marco.id,
            sea=sea.id,
            isle=isle.id,
            harbor=harbor.id,
            scene=scene.id,
            scene2=scene2.id,
            tag=tag.id,
        )
    db.dispose()
    fix_times(home)
    return out
