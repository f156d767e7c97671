"""The folder target's output is a site Hugo builds: the page and its
images end up in ``public/`` (runs when ``hugo`` is installed)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from inkbench.integrations.publish.runner import run_publications
from inkbench.storage import publications as pubs
from inkbench.storage.publish_accounts import add_account

pytestmark = pytest.mark.skipif(
    shutil.which("hugo") is None, reason="hugo is not installed (apt-get install hugo)"
)

LAYOUT = "<html><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n"
BODY = "你好，Hugo。\n\n| 列 | 值 |\n|---|---|\n| 甲 | 1 |\n\n```\nprint(1)\n```\n"


def test_hugo_builds_the_page_with_its_images(db, content, tmp_path):
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "http://example.org/"\ntitle = "t"\n')
    for name in ("single.html", "list.html"):
        (site / "layouts" / "_default" / name).write_text(LAYOUT)
    with db.raw() as conn:
        add_account(conn, "hugo", "folder", path=str(site), format="hugo")
    imgs = content.images([(200, 10, 10), (10, 200, 10)])
    a = content.article("Hugo 页面", BODY, illustrations=imgs[:1], linked=imgs[1:])
    with db.raw() as conn:
        pubs.enqueue(conn, [a], "hugo")
    assert run_publications(db, lambda row: None).published == 1

    built = subprocess.run(
        ["hugo", "--source", str(site), "--destination", str(site / "public"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (page_dir,) = [p for p in (site / "public" / "posts").iterdir() if p.is_dir()]
    html = (page_dir / "index.html").read_text()
    assert "你好，Hugo。" in html and "<td>甲</td>" in html
    pngs = sorted(p.name for p in page_dir.glob("*.png"))
    assert len(pngs) == 2
    for name in pngs:
        assert f'src="{name}"' in html
