from __future__ import annotations

import pytest

from inkbench.integrations.generation.prompts import build_messages, preview_prompt
from inkbench.storage.article_settings import (
    create_setting,
    delete_setting,
    ensure_default_settings,
    find_setting,
    list_settings,
)
from inkbench.storage.distillations import (
    add_topic,
    create_distillation,
    delete_distillation,
    delete_topic,
    edit_topic,
    list_topics,
    move_topic,
    reorder_topics,
)
from inkbench.storage.errors import InUse, InvalidInput
from inkbench.storage.knowledge import create_kb, trash_kb
from inkbench.storage.models import Album
from inkbench.storage.targets import create_target, delete_target
from inkbench.storage.tasks import (
    cancel_task,
    create_task,
    get_task,
    list_tasks,
    pause_task,
    resume_task,
    task_items,
)


def _inputs(s):
    d = create_distillation(s, "heat pumps", ["Are they noisy?", "What do they cost?"])
    setting = create_setting(s, "plain", style="plain", length=300, language="en")
    target = create_target(s, "WarmCo", pitch="installs heat pumps", site="warm.example")
    kb = create_kb(s, "hvac")
    album = Album(name="photos")
    s.add(album)
    s.flush()
    return d, setting, target, kb, album


def test_topics_add_edit_delete_reorder(db) -> None:
    with db.write() as s:
        d = create_distillation(s, "tea", ["a", "b", "c"])
        t = list_topics(s, d.id)
        add_topic(s, d.id, "first!", position=0)
        edit_topic(s, t[1].id, "B")
        delete_topic(s, t[2].id)
        assert [x.question for x in list_topics(s, d.id)] == ["first!", "a", "B"]
        ids = [x.id for x in list_topics(s, d.id)]
        reorder_topics(s, d.id, list(reversed(ids)))
        assert [x.question for x in list_topics(s, d.id)] == ["B", "a", "first!"]
        move_topic(s, ids[0], -5)
        assert [x.question for x in list_topics(s, d.id)] == ["first!", "B", "a"]
        with pytest.raises(InvalidInput):
            reorder_topics(s, d.id, ids[:1])
        with pytest.raises(InvalidInput):
            add_topic(s, d.id, "   ")


def test_default_settings_load_from_assets_and_preview(db) -> None:
    with db.write() as s:
        assert ensure_default_settings(s) >= 2
        assert ensure_default_settings(s) == 0
        names = [x.name for x in list_settings(s)]
        assert "Blog post" in names and "博客文章" in names
        zh = find_setting(s, "博客文章")
        target = create_target(s, "暖家", pitch="空气能热泵安装", contact="400-000")
        text = preview_prompt(
            s, zh.id, keyword="热泵", topic="热泵冬天好用吗？", target_id=target.id
        )
        assert "热泵冬天好用吗？" in text and "暖家" in text and "400-000" in text
        assert "{{" not in text
        # user text is never expanded as a placeholder
        odd = create_setting(s, "odd", extra_instructions="keep {{topic}} literal {x}")
        msgs = build_messages(odd, keyword="{{style}}", topic="T")
        assert "{{style}}" in msgs[1]["content"] and "{x}" in msgs[1]["content"]


def test_task_items_cycle_topics_and_snapshot_names(db) -> None:
    with db.write() as s:
        d, setting, target, kb, album = _inputs(s)
        topics = list_topics(s, d.id)
        task = create_task(
            s,
            distillation_id=d.id,
            setting_id=setting.id,
            count=3,
            knowledge_base_id=kb.id,
            album_id=album.id,
            target_id=target.id,
            model="m1",
        )
        items = task_items(s, task.id)
        assert [i.topic_id for i in items] == [topics[0].id, topics[1].id, topics[0].id]
        assert (task.keyword, task.setting_name, task.knowledge_base_name) == (
            "heat pumps",
            "plain",
            "hvac",
        )
        chosen = create_task(
            s, distillation_id=d.id, setting_id=setting.id, count=2, topic_ids=[topics[1].id]
        )
        assert {i.topic_text for i in task_items(s, chosen.id)} == {"What do they cost?"}
        with pytest.raises(InvalidInput):
            create_task(s, distillation_id=d.id, setting_id=setting.id, count=0)


def test_status_transitions(db) -> None:
    with db.write() as s:
        d, setting, *_ = _inputs(s)
        t = create_task(s, distillation_id=d.id, setting_id=setting.id, count=1)
        assert pause_task(s, t.id).status == "paused"
        assert resume_task(s, t.id).status == "queued"
        assert pause_task(s, t.id, "quota_exceeded", "spent").pause_reason == "quota_exceeded"
        resume_task(s, t.id)
        assert cancel_task(s, t.id).status == "cancelled"
        with pytest.raises(InvalidInput):
            resume_task(s, t.id)
        with pytest.raises(InvalidInput):
            cancel_task(s, t.id)
        assert [x.status for x in list_tasks(s)] == ["cancelled"]


def test_inputs_of_an_active_task_cannot_be_deleted_then_can(db) -> None:
    with db.write() as s:
        d, setting, target, kb, album = _inputs(s)
        t = create_task(
            s,
            distillation_id=d.id,
            setting_id=setting.id,
            count=1,
            knowledge_base_id=kb.id,
            album_id=album.id,
            target_id=target.id,
            name="winter push",
        )
        topic = list_topics(s, d.id)[0]
        ids = (d.id, setting.id, target.id, kb.id, topic.id)
    for fn, row_id in (
        (delete_distillation, ids[0]),
        (delete_setting, ids[1]),
        (delete_target, ids[2]),
        (trash_kb, ids[3]),
        (delete_topic, ids[4]),
    ):
        with db.write() as s, pytest.raises(InUse, match=r'task #\d+ "winter push" \(queued\)'):
            fn(s, row_id)
    with db.write() as s:
        cancel_task(s, t.id)
    with db.write() as s:
        delete_distillation(s, ids[0])
        delete_setting(s, ids[1])
        delete_target(s, ids[2])
        trash_kb(s, ids[3])
    with db.read() as s:
        task = get_task(s, t.id)
        assert task.distillation_id is None and task.setting_id is None
        assert (task.keyword, task.setting_name, task.target_name) == (
            "heat pumps",
            "plain",
            "WarmCo",
        )
        assert [i.topic_text for i in task_items(s, t.id)] == ["Are they noisy?"]
