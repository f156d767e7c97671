"""The WordPress REST target against a small WordPress emulation on 127.0.0.1
(a real HTTP server speaking the same wire format; tests/fakes/wordpress.py)."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from inkbench.integrations.publish.base import (
    Account,
    AuthFailed,
    Media,
    Post,
    Rejected,
    Transient,
)
from inkbench.integrations.publish.wordpress import WordPressTarget
from tests.fakes.servers import free_port
from tests.fakes.wordpress import FakeWordPress


@pytest.fixture
def site():
    wp = FakeWordPress().start()
    yield wp
    wp.stop()


def target(site: FakeWordPress, **kw) -> WordPressTarget:
    account = Account(
        name="blog",
        kind="wordpress",
        url=kw.pop("url", site.url),
        user=kw.pop("user", site.user),
        secret=kw.pop("secret", site.app_password),
    )
    return WordPressTarget(account, **kw)


def post(marker: str = "pub-1-abc", **kw) -> Post:
    fields = dict(
        marker=marker,
        title="绿茶怎么保存",
        markdown="正文",
        html="<p>正文 with <b>bold</b></p>",
        slug="green-tea",
    )
    fields.update(kw)
    return Post(**fields)


def image(tmp_path: Path, name: str = "茶 photo.png") -> Media:
    path = tmp_path / "img.png"
    Image.new("RGB", (8, 8), (10, 120, 30)).save(path)
    return Media(digest="ab" * 32, filename=name, mime="image/png", path=path)


def test_check_names_the_site_and_user(site: FakeWordPress) -> None:
    line = target(site).check()
    assert "Fake & Blog" in line and site.user in line


def test_wrong_application_password_is_auth_failed(site: FakeWordPress) -> None:
    with pytest.raises(AuthFailed, match="application password"):
        target(site, secret="wrong wrong wrong").check()
    with pytest.raises(AuthFailed, match="application password"):
        target(site, secret="wrong").create_post(post())
    assert site.posts == {}


def test_a_wrong_password_answered_as_anonymous_is_still_a_wrong_password(
    site: FakeWordPress, tmp_path: Path
) -> None:
    """WordPress 6 runs a request with a wrong application password as
    nobody's: a write is refused 401 ``rest_cannot_create``. That is the
    password, not the user's role."""
    site.anonymous_on_bad_password = True
    for call in (
        lambda t: t.create_post(post()),
        lambda t: t.upload_media(image(tmp_path)),
    ):
        with pytest.raises(AuthFailed, match="application password") as e:
            call(target(site, secret="wrong"))
        assert "role" not in str(e.value)
    assert site.posts == {} and site.media == {}


def test_unknown_user_says_so(site: FakeWordPress) -> None:
    with pytest.raises(AuthFailed, match="no user nobody"):
        target(site, user="nobody").check()


def test_application_passwords_off(site: FakeWordPress) -> None:
    site.app_passwords = False
    with pytest.raises(AuthFailed, match="application passwords"):
        target(site).check()


def test_a_contributor_may_not_publish(site: FakeWordPress) -> None:
    site.role = "contributor"
    with pytest.raises(AuthFailed, match="may not publish"):
        target(site).check()
    with pytest.raises(AuthFailed, match="may not"):
        target(site).create_post(post())
    assert site.posts == {}


def test_create_find_by_marker_and_update(site: FakeWordPress) -> None:
    made = target(site).create_post(post(tags=("茶",), categories=("Tea",)))
    assert made.url and made.remote_id in made.url
    stored = site.posts[int(made.remote_id)]
    assert stored["status"] == "publish" and stored["slug"] == "green-tea"
    assert "<b>bold</b>" in stored["content"] and stored["title"] == "绿茶怎么保存"

    # a new process (after a crash before the local commit) finds the same post
    again = target(site)
    assert again.find_post("pub-1-abc") == made
    assert again.find_post("pub-2-abc") is None

    updated = again.update_post(made.remote_id, post(title="新标题", html="<p>改过</p>"))
    assert updated.remote_id == made.remote_id
    assert site.posts[int(made.remote_id)]["title"] == "新标题"
    assert "改过" in site.posts[int(made.remote_id)]["content"]
    assert len(site.posts) == 1
    assert again.find_post("pub-1-abc") == updated  # the marker survives the update


def test_find_sees_drafts_and_markers_that_need_quoting(site: FakeWordPress) -> None:
    odd = "publication 7 / article:3"
    made = target(site).create_post(post(marker=odd, draft=True))
    assert site.posts[int(made.remote_id)]["status"] == "draft"
    assert target(site).find_post(odd) == made
    assert target(site).find_post("publication 8 / article:3") is None


def test_media_upload_keeps_bytes_and_gives_source_url(site: FakeWordPress, tmp_path: Path) -> None:
    media = image(tmp_path)
    url = target(site).upload_media(media)
    (stored,) = site.media.values()
    assert stored["source_url"] == url and url.endswith(".png")
    assert stored["bytes"] == media.path.read_bytes() and stored["mime"] == "image/png"
    assert url.isascii()


def test_categories_and_tags_by_name_made_once(site: FakeWordPress) -> None:
    wp = target(site)
    first = wp.create_post(post(categories=("uncategorized", "Tea & Life"), tags=("茶", "green")))
    second = target(site).create_post(
        post(marker="pub-2", categories=("Tea & Life",), tags=("茶",))
    )
    cats, tags = site.terms["categories"], site.terms["tags"]
    # "Tea & Life" is stored as "Tea &amp; Life": the second target's search misses
    # it and WordPress answers term_exists with its id
    assert sorted(cats.values()) == ["Tea &amp; Life", "Uncategorized"]
    assert sorted(tags.values()) == ["green", "茶"]
    one, two = site.posts[int(first.remote_id)], site.posts[int(second.remote_id)]
    assert [cats[c] for c in one["categories"]] == ["Uncategorized", "Tea &amp; Life"]
    assert [cats[c] for c in two["categories"]] == ["Tea &amp; Life"]
    assert [tags[t] for t in two["tags"]] == ["茶"]


def test_an_author_uses_categories_but_may_not_add_them(site: FakeWordPress) -> None:
    site.role = "author"
    wp = target(site)
    assert "logged in" in wp.check()
    made = wp.create_post(post(categories=("Uncategorized",), tags=("new tag",)))
    assert site.posts[int(made.remote_id)]["status"] == "publish"
    with pytest.raises(Rejected, match="may not add the category “Tea”"):
        wp.create_post(post(marker="pub-2", categories=("Tea",)))
    assert len(site.posts) == 1


def test_scheduled_post_is_future_with_utc_date(site: FakeWordPress) -> None:
    when = (datetime.now(UTC) + timedelta(days=3)).astimezone(timezone(timedelta(hours=8)))
    when = when.replace(microsecond=0)
    made = target(site).create_post(post(date=when))
    stored = site.posts[int(made.remote_id)]
    assert stored["status"] == "future"
    assert stored["date_gmt"] == when.astimezone(UTC).replace(tzinfo=None).isoformat()


def test_pretty_permalinks_off_uses_rest_route(site: FakeWordPress, tmp_path: Path) -> None:
    site.pretty = False
    wp = target(site)
    wp.check()
    wp.upload_media(image(tmp_path))
    made = wp.create_post(post())
    assert wp.find_post("pub-1-abc") == made
    tried = [route for _, route in site.requests if route.startswith("/wp-json")]
    assert tried == ["/wp-json/"]  # found out once
    assert ("POST", "/wp/v2/posts") in site.requests


def test_500_is_transient_and_nothing_is_made(site: FakeWordPress) -> None:
    wp = target(site)
    wp.check()
    site.fail_next = 5
    with pytest.raises(Transient, match="500"):
        wp.create_post(post())
    site.fail_next = 0
    assert site.posts == {}
    assert wp.create_post(post()).remote_id


def test_timeout_in_the_middle_of_an_image_upload(site: FakeWordPress, tmp_path: Path) -> None:
    wp = target(site, timeout=0.5)
    wp.check()
    site.stall_media = 3.0
    with pytest.raises(Transient, match="in time"):
        wp.upload_media(image(tmp_path))
    assert site.media == {}
    site.stall_media = 0.0
    assert target(site).upload_media(image(tmp_path))
    assert len(site.media) == 1


def test_site_down_is_transient() -> None:
    account = Account(
        name="x", kind="wordpress", url=f"http://127.0.0.1:{free_port()}", user="u", secret="p"
    )
    with pytest.raises(Transient, match="cannot reach"):
        WordPressTarget(account).check()


def test_not_wordpress_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>my homepage</h1>")
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=tmp_path, **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        account = Account(
            name="x",
            kind="wordpress",
            url=f"http://127.0.0.1:{server.server_address[1]}/",
            user="u",
            secret="p",
        )
        with pytest.raises(Rejected, match="not a WordPress site"):
            WordPressTarget(account).check()
    finally:
        server.shutdown()
        server.server_close()


def test_updating_a_deleted_post_is_rejected(site: FakeWordPress) -> None:
    with pytest.raises(Rejected, match="Invalid post ID"):
        target(site).update_post("999", post())


def test_a_500_while_finding_the_api_is_transient_and_found_later(site: FakeWordPress) -> None:
    site.pretty = False
    site.fail_next = 1
    wp = target(site)
    with pytest.raises(Transient, match="500"):
        wp.check()
    assert "logged in" in wp.check()
    assert wp.create_post(post()).remote_id


def test_an_image_without_extension_gets_one_from_its_type(
    site: FakeWordPress, tmp_path: Path
) -> None:
    url = target(site).upload_media(image(tmp_path, name="图片"))
    assert url.endswith(".png")


def test_a_missing_image_file_is_rejected_and_nothing_uploaded(
    site: FakeWordPress, tmp_path: Path
) -> None:
    gone = Media(digest="ef" * 32, filename="a.png", mime="image/png", path=tmp_path / "gone")
    with pytest.raises(Rejected, match=r"cannot read the image a\.png"):
        target(site).upload_media(gone)
    assert site.media == {}


def test_a_date_now_or_past_is_left_to_the_site(site: FakeWordPress) -> None:
    made = target(site).create_post(post(date=datetime.now(UTC) - timedelta(minutes=5)))
    stored = site.posts[int(made.remote_id)]
    assert stored["status"] == "publish" and "date_gmt" not in stored


def test_a_post_made_but_never_answered_is_found_by_its_marker(site: FakeWordPress) -> None:
    site.drop_after_create = 1
    with pytest.raises(Transient):
        target(site).create_post(post())
    assert len(site.posts) == 1
    (remote_id,) = site.posts
    assert target(site).find_post("pub-1-abc").remote_id == str(remote_id)


def test_found_among_the_newest_when_the_search_leaves_drafts_out(site: FakeWordPress) -> None:
    site.search_drafts = False
    made = target(site).create_post(post(draft=True))
    assert target(site).find_post("pub-1-abc") == made
    assert target(site).find_post("pub-2-abc") is None


def test_a_url_of_a_page_of_the_site_means_the_site(site: FakeWordPress) -> None:
    for tail in ("/wp-json/", "/xmlrpc.php", "/wp-admin/"):
        assert "logged in" in target(site, url=site.url + tail).check()


def test_abort_wakes_an_upload_the_site_holds(site: FakeWordPress, tmp_path: Path) -> None:
    """What the runner does when the item's lease is lost: the call waiting
    on the site ends at once with an error, not at its timeout."""
    site.stall_media = 600.0  # the site reads half the image, then hangs
    wp = WordPressTarget(
        Account(
            name="wp", kind="wordpress", url=site.url, user=site.user, secret=site.app_password
        ),
        timeout=60.0,
    )
    wp.check()  # a connection in the pool, as in a run

    def abort_when_stalled() -> None:
        while not any(route == "/wp/v2/media" for _m, route in site.requests):
            threading.Event().wait(0.02)  # until the upload has reached the site
        wp.abort()

    stalled = threading.Thread(target=abort_when_stalled, daemon=True)
    stalled.start()
    with pytest.raises(Transient) as e:
        wp.upload_media(image(tmp_path))
    assert "did not answer in time" not in str(e.value)  # woken, not timed out
    stalled.join(5)
    assert site.media == {}
