"""How a post carries its publication marker, for the targets that cannot keep a
field of their own (WordPress REST and MetaWeblog XML-RPC).

The marker goes into the post body as a hidden HTML comment at its very start,
``<!-- inkbench:TOKEN -->``: readers never see it, WordPress (REST and
XML-RPC), cnblogs and Typecho all store and return the body as sent, and
putting it first keeps it in the part before a ``<!--more-->`` split (which
MetaWeblog returns as ``description``). The slug cannot hold it: WordPress only
finds posts by a whole slug, and a retry knows the marker, not the slug the
site may have changed. A custom field needs a plugin on WordPress and does not
exist on the other engines.
"""

from __future__ import annotations

import hashlib
import re

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def marker_token(marker: str) -> str:
    """A search-safe form of ``marker``: itself when it is short and plain,
    else a digest of it (a search term that starts with ``-`` or holds spaces
    would be read as search syntax)."""
    if _SAFE.fullmatch(marker):
        return marker
    return "ink" + hashlib.sha256(marker.encode("utf-8")).hexdigest()[:32]


def marker_comment(marker: str) -> str:
    """The hidden comment that marks a post as made by this publication."""
    return f"<!-- inkbench:{marker_token(marker)} -->"


def with_marker(html: str, marker: str) -> str:
    """The post body with the marker comment first."""
    return marker_comment(marker) + "\n" + html


def has_marker(body: str | None, marker: str) -> bool:
    """True when ``body`` carries this publication's marker comment."""
    return bool(body) and marker_comment(marker) in body
