"""Both WordPress targets against a real WordPress.

They run when ``INKBENCH_TEST_WP_URL`` is set, as ``../shared/wordpress/setup.sh``
prints it (with ``INKBENCH_TEST_WP_USER``, ``INKBENCH_TEST_WP_PASSWORD`` for
XML-RPC and ``INKBENCH_TEST_WP_APP_PASSWORD`` for REST)::

    eval "$(bash ../shared/wordpress/setup.sh)"

Every post and image a test makes is deleted again at the end.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from inkbench.integrations.publish.base import Account, AuthFailed, Media, Post
from inkbench.integrations.publish.metaweblog import MetaWeblogTarget
from inkbench.integrations.publish.wordpress import WordPressTarget

URL = os.environ.get("INKBENCH_TEST_WP_URL")
pytestmark = pytest.mark.skipif(
    not URL,
    reason="no real WordPress: set INKBENCH_TEST_WP_URL "
    '(eval "$(bash ../shared/wordpress/setup.sh)")',
)
USER = os.environ.get("INKBENCH_TEST_WP_USER", "admin")
PASSWORD = os.environ.get("INKBENCH_TEST_WP_PASSWORD", "")
APP_PASSWORD = os.environ.get("INKBENCH_TEST_WP_APP_PASSWORD", "")


class Site:
    """Plain REST calls for looking at what the targets made, and cleaning up."""

    def __init__(self) -> None:
        self.client = httpx.Client(auth=(USER, APP_PASSWORD), timeout=30)
        self.made: list[tuple[str, str]] = []

    def get(self, route: str, **params) -> dict:
        resp = self.client.get(f"{URL}/", params={"rest_route": route, **params})
        resp.raise_for_status()
        return resp.json()

    def post(self, remote_id: str) -> dict:
        self.made.append(("posts", remote_id))
        return self.get(f"/wp/v2/posts/{remote_id}", context="edit")

    def media_by_url(self, url: str) -> None:
        for item in self.get("/wp/v2/media", per_page=20, context="edit"):
            if item["source_url"] == url:
                self.made.append(("media", str(item["id"])))

    def cleanup(self) -> None:
        for kind, remote_id in self.made:
            self.client.delete(
                f"{URL}/", params={"rest_route": f"/wp/v2/{kind}/{remote_id}", "force": "true"}
            )
        self.client.close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.cleanup()


@pytest.fixture
def picture(tmp_path: Path) -> Media:
    path = tmp_path / "pic.png"
    Image.new("RGB", (16, 12), (30, 90, 160)).save(path)
    return Media(digest=uuid.uuid4().hex * 2, filename="龙井 tea.png", mime="image/png", path=path)


def rest(secret: str = APP_PASSWORD) -> WordPressTarget:
    return WordPressTarget(Account(name="wp", kind="wordpress", url=URL, user=USER, secret=secret))


def xmlrpc(secret: str = PASSWORD) -> MetaWeblogTarget:
    return MetaWeblogTarget(
        Account(name="mw", kind="metaweblog", url=URL, user=USER, secret=secret)
    )


def new_marker() -> str:
    """A fresh marker shaped like the runner's (``inkbench-<publication>-<hex>``)."""
    return f"inkbench-{uuid.uuid4().int % 10_000}-{uuid.uuid4().hex[:12]}"


def article(marker: str, image_url: str | None = None, **kw) -> Post:
    img = f'<p><img src="{image_url}" alt="tea"></p>' if image_url else ""
    return Post(
        marker=marker,
        title=kw.pop("title", "明前龙井：春天的第一口鲜"),
        markdown="正文",
        html=kw.pop("html", f"<p>春天的第一口鲜 and <code>x[0]</code></p>{img}"),
        slug=kw.pop("slug", "longjing-" + marker[-8:]),
        **kw,
    )


@pytest.mark.parametrize("make", [rest, xmlrpc], ids=["rest", "xmlrpc"])
def test_check(make) -> None:
    assert USER in make().check()


@pytest.mark.parametrize("make", [rest, xmlrpc], ids=["rest", "xmlrpc"])
def test_wrong_password(make) -> None:
    with pytest.raises(AuthFailed, match="password"):
        make(secret="wrong-password-here").check()


@pytest.mark.parametrize("make", [rest, xmlrpc], ids=["rest", "xmlrpc"])
def test_wrong_password_while_publishing_is_a_wrong_password(make, picture: Media) -> None:
    """Not only ``check``: the calls the runner makes first say the password is
    wrong, not that the user lacks a role (WordPress 6 answers them 401
    ``rest_cannot_create``)."""
    target = make(secret="wrong-password-here")
    with pytest.raises(AuthFailed, match="password") as e:
        target.upload_media(picture)
    assert "role" not in str(e.value)
    with pytest.raises(AuthFailed, match="password") as e:
        target.create_post(article(new_marker()))
    assert "role" not in str(e.value)


@pytest.mark.parametrize("make", [rest, xmlrpc], ids=["rest", "xmlrpc"])
def test_post_with_image_found_by_marker_then_updated(make, site: Site, picture: Media) -> None:
    target = make()
    url = target.upload_media(picture)
    site.media_by_url(url)
    assert httpx.get(url, timeout=30).content == picture.path.read_bytes()

    marker = new_marker()
    made = target.create_post(
        article(marker, url, tags=("绿茶", "inkbench-test"), categories=("茶 & 生活",))
    )
    stored = site.post(made.remote_id)
    assert stored["status"] == "publish"
    assert url in stored["content"]["raw"] and "春天的第一口鲜" in stored["content"]["raw"]
    assert stored["title"]["raw"] == "明前龙井：春天的第一口鲜"
    tags = {t["name"] for t in site.get("/wp/v2/tags", include=",".join(map(str, stored["tags"])))}
    assert tags == {"绿茶", "inkbench-test"}
    cats = {
        c["name"]
        for c in site.get("/wp/v2/categories", include=",".join(map(str, stored["categories"])))
    }
    assert cats == {"茶 &amp; 生活"}

    assert make().find_post(marker) == made  # a fresh target, as after a crash
    assert make().find_post(new_marker()) is None

    updated = make().update_post(made.remote_id, article(marker, url, title="改后的标题"))
    assert updated.remote_id == made.remote_id
    assert site.post(made.remote_id)["title"]["raw"] == "改后的标题"
    assert make().find_post(marker).remote_id == made.remote_id


@pytest.mark.parametrize("make", [rest, xmlrpc], ids=["rest", "xmlrpc"])
def test_scheduled_and_draft(make, site: Site) -> None:
    when = (datetime.now(UTC) + timedelta(days=5)).replace(microsecond=0)
    marker = new_marker()
    later = make().create_post(article(marker, date=when))
    stored = site.post(later.remote_id)
    assert stored["status"] == "future"
    assert stored["date_gmt"] == when.replace(tzinfo=None).isoformat()
    assert make().find_post(marker) == later

    draft_marker = new_marker()
    draft = make().create_post(article(draft_marker, draft=True))
    assert site.post(draft.remote_id)["status"] == "draft"
    assert make().find_post(draft_marker).remote_id == draft.remote_id


@pytest.fixture
def contributor(site: Site):
    """A real contributor (may write, may not publish), with an application password."""
    name = "contrib" + uuid.uuid4().hex[:8]
    password = uuid.uuid4().hex
    resp = site.client.post(
        f"{URL}/",
        params={"rest_route": "/wp/v2/users"},
        json={
            "username": name,
            "password": password,
            "email": f"{name}@example.com",
            "roles": ["contributor"],
        },
    )
    resp.raise_for_status()
    user_id = resp.json()["id"]
    resp = site.client.post(
        f"{URL}/",
        params={"rest_route": f"/wp/v2/users/{user_id}/application-passwords"},
        json={"name": "inkbench-test"},
    )
    resp.raise_for_status()
    yield name, password, resp.json()["password"]
    site.client.delete(
        f"{URL}/",
        params={"rest_route": f"/wp/v2/users/{user_id}", "force": "true", "reassign": "1"},
    )


def test_no_permission_to_publish(contributor, site: Site) -> None:
    name, password, app_password = contributor
    before = len(site.get("/wp/v2/posts", status="any", context="edit", per_page=100))
    wp = WordPressTarget(
        Account(name="c", kind="wordpress", url=URL, user=name, secret=app_password)
    )
    with pytest.raises(AuthFailed, match="may not publish"):
        wp.check()
    with pytest.raises(AuthFailed, match="may not"):
        wp.create_post(article(new_marker()))
    mw = MetaWeblogTarget(Account(name="c", kind="metaweblog", url=URL, user=name, secret=password))
    assert name in mw.check()  # the login works over XML-RPC; publishing does not
    with pytest.raises(AuthFailed, match="may not"):
        mw.create_post(article(new_marker()))
    assert len(site.get("/wp/v2/posts", status="any", context="edit", per_page=100)) == before
