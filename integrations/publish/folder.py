"""The static-site folder target: Hugo, Hexo or Jekyll.

Each post is a Markdown file with the engine's front matter (title, date,
slug, draft, tags, categories, and ``inkbench_marker``, which ``find_post``
scans for). Where it goes:

- Hugo: a page bundle, ``content/posts/<slug>/index.md``, the images beside
  it and linked by file name.
- Hexo: ``source/_posts/<slug>.md`` (drafts in ``source/_drafts``), images
  in ``source/images/`` linked as ``/images/<file>``.
- Jekyll: ``_posts/<date>-<slug>.md`` (drafts ``published: false``),
  images in ``assets/images/`` linked as ``/assets/images/<file>``.

Files are written to a temporary name and renamed, so a reader never sees
half a post. With ``git_commit`` the new files are committed in the folder.
The remote id is the post file's path relative to the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from inkbench.i18n import _
from inkbench.integrations.publish.base import Account, Media, Post, Published, Rejected

MARKER_KEY = "inkbench_marker"
_HEAD = 4096  # the front matter is read from the first bytes of a file only


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


class FolderTarget:
    """Writes posts into a Hugo, Hexo or Jekyll site folder."""

    media_per_post = True

    def __init__(self, account: Account) -> None:
        self.account = account
        self.format = account.format or "hugo"
        self.root = Path(account.path) if account.path else Path()

    # --- layout -------------------------------------------------------------------

    def _post_path(self, post: Post) -> Path:
        if self.format == "hugo":
            return self.root / "content" / "posts" / post.slug / "index.md"
        if self.format == "hexo":
            folder = "_drafts" if post.draft else "_posts"
            return self.root / "source" / folder / f"{post.slug}.md"
        day = (post.date or datetime.now(UTC)).strftime("%Y-%m-%d")
        return self.root / "_posts" / f"{day}-{post.slug}.md"

    def _media_dir(self, post_file: Path) -> Path:
        if self.format == "hugo":
            return post_file.parent
        if self.format == "hexo":
            return self.root / "source" / "images"
        return self.root / "assets" / "images"

    def _media_link(self, filename: str) -> str:
        if self.format == "hugo":
            return filename
        if self.format == "hexo":
            return f"/images/{filename}"
        return f"/assets/images/{filename}"

    def _url(self, post_file: Path, post: Post) -> str:
        if self.format == "hugo":
            return f"/posts/{post_file.parent.name}/"
        return str(post_file)

    def _post_dirs(self) -> list[Path]:
        if self.format == "hugo":
            return [self.root / "content"]
        if self.format == "hexo":
            return [self.root / "source" / "_posts", self.root / "source" / "_drafts"]
        return [self.root / "_posts", self.root / "_drafts"]

    # --- the protocol -------------------------------------------------------------

    def _unwritable(self, error: OSError | None = None) -> Rejected:
        why = f" ({error.strerror})" if error is not None and error.strerror else ""
        return Rejected(
            _(
                "the folder {path} is not writable{why}; fix its permissions or choose"
                " another --path"
            ).format(path=self.root, why=why)
        )

    def check(self) -> str:
        """The site folder exists and can be written."""
        if not self.root.is_dir():
            raise Rejected(
                _("the folder {path} does not exist; create it or fix --path").format(
                    path=self.root
                )
            )
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise self._unwritable()
        return _("{format} site folder {path}, writable").format(format=self.format, path=self.root)

    def upload_media(self, media: Media) -> str:
        """Not used: images are placed beside each post (``media_per_post``)."""
        return self._media_link(media.filename)

    def find_post(self, marker: str) -> Published | None:
        """The post file whose front matter carries ``marker``, if any."""
        needle = f"{MARKER_KEY}: {_q(marker)}"
        for folder in self._post_dirs():
            if not folder.is_dir():
                continue
            for path in folder.rglob("*.md"):
                try:
                    with path.open(encoding="utf-8", errors="replace") as f:
                        head = f.read(_HEAD)
                except OSError:
                    continue
                if needle in head:
                    return Published(self._rel(path), self._url(path, _NO_POST))
        return None

    def create_post(self, post: Post) -> Published:
        """Write a new post (a free slug is chosen if another post has it)."""
        self.check()
        path = self._free_path(post)
        return self._write(path, post)

    def update_post(self, remote_id: str, post: Post) -> Published:
        """Rewrite the post at ``remote_id`` (its path in the folder)."""
        self.check()
        rel = PurePosixPath(remote_id)
        if rel.is_absolute() or ".." in rel.parts:
            raise Rejected(_("not a post in this folder: {id}").format(id=remote_id))
        return self._write(self.root / rel, post)

    # --- writing ------------------------------------------------------------------

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _free_path(self, post: Post) -> Path:
        path = self._post_path(post)
        n = 2
        base = post.slug
        while path.exists() or (self.format == "hugo" and path.parent.exists()):
            post = _with_slug(post, f"{base}-{n}")
            path = self._post_path(post)
            n += 1
        return path

    def _front_matter(self, post: Post, slug: str) -> str:
        date = (post.date or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        lines = [
            "---",
            f"title: {_q(post.title)}",
            f"date: {date}",
            f"slug: {_q(slug)}",
            f"draft: {'true' if post.draft else 'false'}",
        ]
        if self.format == "jekyll" and post.draft:
            lines.append("published: false")
        lines.append(f"tags: [{', '.join(_q(t) for t in post.tags)}]")
        lines.append(f"categories: [{', '.join(_q(c) for c in post.categories)}]")
        lines.append(f"{MARKER_KEY}: {_q(post.marker)}")
        lines.append("---")
        return "\n".join(lines) + "\n\n"

    def _write(self, path: Path, post: Post) -> Published:
        slug = path.parent.name if self.format == "hugo" else post.slug
        body = post.markdown
        if self.format != "hugo":
            for m in post.media:
                body = body.replace(f"]({m.filename})", f"]({self._media_link(m.filename)})")
        written: list[Path] = []
        try:
            media_dir = self._media_dir(path)
            media_dir.mkdir(parents=True, exist_ok=True)
            for m in post.media:
                dest = media_dir / m.filename
                if not dest.exists() or dest.stat().st_size != m.path.stat().st_size:
                    _atomic_copy(m.path, dest)
                    written.append(dest)
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, self._front_matter(post, slug) + body)
            written.append(path)
        except FileNotFoundError as e:
            if e.filename and Path(e.filename).is_relative_to(self.root):
                raise self._unwritable(e) from None
            raise Rejected(
                _("an image file is missing from the store: {path}").format(path=e.filename)
            ) from None
        except OSError as e:
            raise self._unwritable(e) from None
        if self.account.git_commit:
            self._commit(written, post.title)
        return Published(self._rel(path), self._url(path, post))

    def _commit(self, files: list[Path], title: str) -> None:
        def git(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["git", "-C", str(self.root), *args], capture_output=True, text=True, timeout=120
            )

        if shutil.which("git") is None:
            raise Rejected(_("git is not installed; install it or turn off --git-commit"))
        try:
            if git("rev-parse", "--is-inside-work-tree").returncode != 0:
                raise Rejected(
                    _("{path} is not a git repository; run `git init` there").format(path=self.root)
                )
            git("add", "--", *(self._rel(f) for f in files))
            if git("diff", "--cached", "--quiet").returncode == 0:
                return  # nothing changed
            who: list[str] = []
            if not git("config", "user.email").stdout.strip():
                who = ["-c", "user.name=Inkbench", "-c", "user.email=inkbench@localhost"]
            message = _("Publish: {title}").format(title=title)
            done = subprocess.run(
                ["git", "-C", str(self.root), *who, "commit", "-q", "-m", message],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            raise Rejected(_("git commit in {path} took too long").format(path=self.root)) from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise Rejected(
                _("git commit in {path} failed: {error}").format(
                    path=self.root, error=detail[-1] if detail else done.returncode
                )
            )


_NO_POST = Post(marker="", title="", markdown="", html="", slug="")


def _with_slug(post: Post, slug: str) -> Post:
    from dataclasses import replace

    return replace(post, slug=slug)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_copy(source: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(source, tmp)
    tmp.chmod(0o644)
    os.replace(tmp, dest)
