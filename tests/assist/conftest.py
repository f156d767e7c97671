# ruff: noqa: F401, F811  (pytest fixtures imported from tests.fakes)
"""Fixtures for the assist and chat tests: a data home logged in to the real
account server (in front of the fake upstream), and a small novel whose
story bible names a character and a place."""

from __future__ import annotations

from pathlib import Path

import pytest

from inkbench.integrations.ai.server import login
from inkbench.settings import load_settings
from inkbench.storage.bible import create_character, create_world_entry
from inkbench.storage.works import create_chapter, create_work
from tests.fakes.fixtures import _fake_upstream, account_server, keyring_file, upstream

LIN = "沉默寡言的药铺学徒，左手有一道旧伤疤"
TOWN = "江南小镇，雨季长，石板路"


@pytest.fixture
def logged_in(home: Path, db, account_server, keyring_file) -> Path:
    """The data home, logged in to the account server as alice."""
    (home / "config.toml").write_text(
        f'[account]\nserver = "{account_server.url}"\n\n'
        '[ai]\nmodel = "fake-small"\ntimeout = 10\n\n'
        '[ai.prices]\n"fake-small" = { input = 1.0, output = 2.0 }\n',
        encoding="utf-8",
    )
    login(
        load_settings(home),
        server=account_server.url,
        username="alice",
        password=account_server.users["alice"],
    )
    return home


@pytest.fixture
def novel(db) -> dict:
    """A work with two chapters; the second names 林晚 and 青石镇."""
    with db.write() as s:
        work = create_work(s, "雨巷")
        create_character(
            s, work.id, "林晚", aliases=["阿晚"], role="protagonist", description=LIN, age="十七"
        )
        create_character(s, work.id, "周掌柜", description="药铺掌柜，精明")
        create_world_entry(s, work.id, "青石镇", category="geography", content=TOWN)
        first = create_chapter(s, work.id, "第一章", "周掌柜开门。")
        first.synopsis = "周掌柜收留了一个孤女。"
        s.add(first)
        second = create_chapter(
            s, work.id, "第二章", "雨下了一夜。\n阿晚推开药铺的门，青石镇还没醒。\n她想起了母亲。"
        )
        return {"work": work.id, "first": first.id, "chapter": second.id}
