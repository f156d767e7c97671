"""The MetaWeblog XML-RPC target against a small blog on 127.0.0.1 served by the
stdlib's SimpleXMLRPCServer with WordPress's methods and faults
(tests/fakes/metaweblog.py)."""

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
from inkbench.integrations.publish.metaweblog import MetaWeblogTarget, endpoint_url
from tests.fakes.metaweblog import FakeMetaWeblog
from tests.fakes.servers import free_port


@pytest.fixture
def blog():
    fake = FakeMetaWeblog().start()
    yield fake
    fake.stop()


def target(blog: FakeMetaWeblog, **kw) -> MetaWeblogTarget:
    account = Account(
        name="blog",
        kind="metaweblog",
        url=kw.pop("url", blog.url),
        user=kw.pop("user", blog.user),
        secret=kw.pop("secret", blog.password),
    )
    return MetaWeblogTarget(account, **kw)


def post(marker: str = "pub-1-abc", **kw) -> Post:
    fields = dict(
        marker=marker,
        title="明前龙井",
        markdown="正文",
        html="<p>春天的第一口鲜</p><!--more--><p>后文</p>",
        slug="longjing",
    )
    fields.update(kw)
    return Post(**fields)


def image(tmp_path: Path) -> Media:
    path = tmp_path / "img.png"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(path)
    return Media(digest="cd" * 32, filename="tea.png", mime="image/png", path=path)


def test_check_logs_in_and_names_the_blog(blog: FakeMetaWeblog) -> None:
    line = target(blog).check()
    assert "Fake blog" in line and blog.user in line


def test_wrong_password_is_auth_failed(blog: FakeMetaWeblog) -> None:
    with pytest.raises(AuthFailed, match="check the password"):
        target(blog, secret="nope").check()
    with pytest.raises(AuthFailed):
        target(blog, secret="nope").create_post(post())
    assert blog.posts == {}


def test_xmlrpc_disabled_says_to_enable_it(blog: FakeMetaWeblog) -> None:
    blog.disabled = True
    with pytest.raises(Rejected, match="XML-RPC is turned off"):
        target(blog).check()


def test_create_find_by_marker_and_update(blog: FakeMetaWeblog) -> None:
    made = target(blog).create_post(post(tags=("绿茶", "龙井")))
    stored = blog.posts[made.remote_id]
    assert stored["post_status"] == "publish" and stored["wp_slug"] == "longjing"
    assert stored["mt_keywords"] == "绿茶,龙井" and "春天的第一口鲜" in stored["description"]
    assert made.url == stored["permaLink"]

    again = target(blog)  # a new process after a crash before the local commit
    assert again.find_post("pub-1-abc") == made
    assert again.find_post("pub-9") is None

    updated = again.update_post(made.remote_id, post(title="改后的标题"))
    assert updated == made
    assert blog.posts[made.remote_id]["title"] == "改后的标题"
    assert len(blog.posts) == 1
    assert again.find_post("pub-1-abc") == made


def test_draft_and_scheduled(blog: FakeMetaWeblog) -> None:
    draft = target(blog).create_post(post(marker="d", draft=True))
    assert blog.posts[draft.remote_id]["post_status"] == "draft"
    when = (datetime.now(UTC) + timedelta(days=2)).astimezone(timezone(timedelta(hours=8)))
    later = target(blog).create_post(post(marker="s", date=when))
    stored = blog.posts[later.remote_id]
    assert stored["post_status"] == "future"
    assert stored["date_created_gmt"].value == when.astimezone(UTC).strftime("%Y%m%dT%H:%M:%S")
    assert blog.last_struct["dateCreated"].value == when.strftime("%Y%m%dT%H:%M:%S")
    assert target(blog).find_post("d") == draft  # drafts are found too


def test_permission_faults_are_not_called_a_wrong_password(blog: FakeMetaWeblog) -> None:
    blog.may_publish = False
    with pytest.raises(AuthFailed, match="may not do this") as caught:
        target(blog).create_post(post())
    assert "password" not in str(caught.value)
    assert blog.posts == {}


def test_media_upload(blog: FakeMetaWeblog, tmp_path: Path) -> None:
    media = image(tmp_path)
    url = target(blog).upload_media(media)
    (name,) = blog.media
    assert url.endswith(name) and blog.media[name] == media.path.read_bytes()


def test_categories_by_name_made_when_missing(blog: FakeMetaWeblog) -> None:
    made = target(blog).create_post(post(categories=("Uncategorized", "茶道")))
    assert blog.categories == ["Uncategorized", "茶道"]
    assert blog.posts[made.remote_id]["categories"] == ["Uncategorized", "茶道"]
    target(blog).create_post(post(marker="two", categories=("茶道",)))
    assert blog.categories == ["Uncategorized", "茶道"]


def test_500_is_transient(blog: FakeMetaWeblog) -> None:
    blog.fail_next = 3
    with pytest.raises(Transient, match="500"):
        target(blog).create_post(post())
    blog.fail_next = 0
    assert blog.posts == {}


def test_timeout_in_the_middle_of_an_image_upload(blog: FakeMetaWeblog, tmp_path: Path) -> None:
    wp = target(blog, timeout=0.5)
    wp.check()
    blog.stall_media = 3.0
    with pytest.raises(Transient, match="in time"):
        wp.upload_media(image(tmp_path))
    assert blog.media == {}
    blog.stall_media = 0.0
    assert target(blog).upload_media(image(tmp_path))
    assert len(blog.media) == 1


def test_site_down_is_transient() -> None:
    account = Account(
        name="x",
        kind="metaweblog",
        url=f"http://127.0.0.1:{free_port()}/xmlrpc.php",
        user="u",
        secret="p",
    )
    with pytest.raises(Transient, match="cannot reach"):
        MetaWeblogTarget(account).check()


def test_a_web_page_is_not_an_endpoint(tmp_path: Path) -> None:
    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html><body>hello</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        account = Account(
            name="x", kind="metaweblog", url=f"http://127.0.0.1:{port}/rpc", user="u", secret="p"
        )
        with pytest.raises(Rejected, match="not an XML-RPC endpoint"):
            MetaWeblogTarget(account).check()
    finally:
        server.shutdown()
        server.server_close()


def test_no_endpoint_there_is_rejected(blog: FakeMetaWeblog) -> None:
    with pytest.raises(Rejected, match="404"):
        target(blog, url=blog.url.replace("xmlrpc.php", "other.php")).check()


def test_a_bare_site_gets_xmlrpc_php() -> None:
    assert endpoint_url("https://blog.example") == "https://blog.example/xmlrpc.php"
    assert endpoint_url("https://blog.example/") == "https://blog.example/xmlrpc.php"
    cnblogs = "https://rpc.cnblogs.com/metaweblog/someone"
    assert endpoint_url(cnblogs) == cnblogs


def test_an_image_without_extension_gets_one_from_its_type(
    blog: FakeMetaWeblog, tmp_path: Path
) -> None:
    media = image(tmp_path)
    url = target(blog).upload_media(
        Media(digest=media.digest, filename="图片", mime="image/png", path=media.path)
    )
    assert url.endswith("图片.png")


def test_a_date_now_or_past_is_left_to_the_site(blog: FakeMetaWeblog) -> None:
    made = target(blog).create_post(post(date=datetime.now(UTC) - timedelta(minutes=5)))
    stored = blog.posts[made.remote_id]
    assert stored["post_status"] == "publish" and "date_created_gmt" not in stored
    assert "dateCreated" not in blog.last_struct


def test_a_post_made_but_never_answered_is_not_sent_again(blog: FakeMetaWeblog) -> None:
    # the stdlib transport would send newPost a second time on a dropped connection
    blog.drop_after_create = 1
    with pytest.raises(Transient):
        target(blog).create_post(post())
    assert len(blog.posts) == 1
    assert target(blog).find_post("pub-1-abc").remote_id in blog.posts


def test_typecho_faults(blog: FakeMetaWeblog) -> None:
    # Typecho answers 403 for both, in Chinese (some engines send the code as a string)
    blog.login_fault = ("403", "无法登录, 密码错误")
    with pytest.raises(AuthFailed, match="check the password"):
        target(blog, secret="nope").check()
    blog.may_publish = False
    blog.publish_fault = (403, "权限不足")
    with pytest.raises(AuthFailed, match=r"may not do this.*权限不足"):
        target(blog).create_post(post())
    assert blog.posts == {}
