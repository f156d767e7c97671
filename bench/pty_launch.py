"""Start a terminal program on a pseudo-terminal and time its first frame.

The program gets a pty of a given size (with pixel dimensions, as a
graphical terminal reports them) as stdin, stdout and stderr, and this side
plays the terminal: it answers the primary device attributes query
(``ESC [ c``) at once, as a Sixel-capable terminal does, so a graphics probe
costs what it costs in a real terminal rather than its timeout. The clock
runs from just before the process is started until the screen holds the
given markers after Textual switched to the alternate screen (its first
frame), e.g. the first rows of a list; then the program is asked to quit
with ctrl+q and, failing that, ended.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

ALT_SCREEN = b"\x1b[?1049h"  # Textual's first write of its own screen
DA1_QUERY = b"\x1b[c"
DA1_ANSWER = b"\x1b[?62;4;22c"  # VT220 with Sixel graphics (4), like foot or xterm -ti vt340
CELL = (10, 20)  # pixels per cell (width, height)


@dataclass(frozen=True)
class FirstFrame:
    """When a launched program first showed what was waited for."""

    alt_screen_s: float  # process start to Textual taking the screen
    frame_s: float  # process start to every marker on the screen
    queries_answered: int
    output_bytes: int


def _set_size(fd: int, columns: int, rows: int) -> None:
    packed = struct.pack("HHHH", rows, columns, columns * CELL[0], rows * CELL[1])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, packed)


def _read(fd: int, timeout: float) -> bytes | None:
    """What the program wrote within ``timeout`` (b"" if nothing); None once
    the pty is closed."""
    ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
    if not ready:
        return b""
    try:
        data = os.read(fd, 1 << 16)
    except OSError:  # EIO: every process holding the pty has gone
        return None
    return data or None


def first_frame(
    argv: Sequence[str],
    markers: Sequence[bytes],
    *,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    size: tuple[int, int] = (120, 40),
    timeout: float = 60.0,
    transcript: os.PathLike[str] | None = None,
) -> FirstFrame:
    """Run ``argv`` on a fresh pty of ``size`` (columns, rows) until its
    output after the alternate-screen switch holds every one of ``markers``
    (everything it wrote goes to the file ``transcript``, if given)."""
    master, slave = os.openpty()
    _set_size(slave, *size)
    env = {**(env if env is not None else os.environ), "TERM": "xterm-256color"}
    for name in ("COLUMNS", "LINES"):  # the pty's size is the one to use
        env.pop(name, None)
    # bytecode is written and used, as for an installed wheel (pip compiles
    # it): with PYTHONDONTWRITEBYTECODE set (this machine sets it) every run
    # of an editable install compiles the project's modules again, while the
    # bare app's Textual comes compiled from site-packages
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    out = bytearray()
    scanned = 0  # where the search for queries goes on from
    alt_at = alt_s = None
    answered = 0
    try:
        deadline = start + timeout
        while True:
            now = time.perf_counter()
            if now > deadline:
                raise TimeoutError(
                    f"{argv[0]}: no first frame within {timeout:.0f} s; the screen so far "
                    f"ends {bytes(out[-400:])!r}"
                )
            data = _read(master, deadline - now)
            if data is None:
                raise RuntimeError(
                    f"{argv[0]} ended (status {proc.wait()}) before its first frame: "
                    f"{bytes(out[-2000:]).decode(errors='replace')}"
                )
            out += data
            if alt_at is None:  # before Textual owns the terminal: answer its probes
                while (i := out.find(DA1_QUERY, scanned)) != -1:
                    os.write(master, DA1_ANSWER)
                    answered += 1
                    scanned = i + len(DA1_QUERY)
                if (i := out.find(ALT_SCREEN)) != -1:
                    alt_at, alt_s = i, time.perf_counter() - start
                else:
                    scanned = max(scanned, len(out) - len(DA1_QUERY))
            if alt_at is not None:
                screen = out[alt_at:]
                if all(m in screen for m in markers):
                    frame_s = time.perf_counter() - start
                    break
    finally:
        _quit(proc, master)
        if transcript is not None:
            with open(transcript, "wb") as f:
                f.write(out)
    return FirstFrame(alt_s, frame_s, answered, len(out))


def _quit(proc: subprocess.Popen, master: int) -> None:
    """ctrl+q, draining the pty so the program can write its goodbye; a
    program still there after 10 s is ended (its own process group only)."""
    with contextlib.suppress(OSError):
        os.write(master, b"\x11")
    end = time.perf_counter() + 10
    while proc.poll() is None and time.perf_counter() < end:
        if _read(master, 0.05) is None:
            break
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    os.close(master)
