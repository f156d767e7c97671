"""Server-sent events: the ``data:`` payloads of a stream, one per event."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def iter_data(lines: Iterable[str]) -> Iterator[str]:
    """Yield each event's data (multi-line data joined by newlines).
    Comments (``: ping``) and other fields are skipped."""
    buf: list[str] = []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if buf:
                yield "\n".join(buf)
                buf = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            buf.append(value[1:] if value.startswith(" ") else value)
    if buf:  # a stream that ends without the blank line still delivers its last event
        yield "\n".join(buf)
