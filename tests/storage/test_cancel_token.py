"""The cancel token's wake-ups: what ``on_cancel`` registers runs once, in
the cancelling thread, at once when the token is already cancelled, never
after it was unregistered, and a failing one does not keep the others
asleep."""

from __future__ import annotations

import logging
import threading

from inkbench.storage.jobs import CancelToken


def test_a_callback_runs_once_when_cancelled_and_not_after_it_is_unregistered() -> None:
    token = CancelToken()
    calls: list[str] = []
    token.on_cancel(lambda: calls.append("kept"))
    forget = token.on_cancel(lambda: calls.append("forgotten"))
    forget()
    assert calls == [] and not token.cancelled
    token.cancel()
    token.cancel()  # a second cancel wakes nobody again
    assert calls == ["kept"] and token.cancelled
    late = token.on_cancel(lambda: calls.append("late"))  # already cancelled: at once
    assert calls == ["kept", "late"]
    late()  # unregistering what already ran is harmless


def test_a_callback_runs_in_the_cancelling_thread_and_a_failure_is_logged(caplog) -> None:
    token = CancelToken()
    ran_in: list[str] = []

    def broken() -> None:
        raise RuntimeError("waker broke")

    token.on_cancel(broken)
    token.on_cancel(lambda: ran_in.append(threading.current_thread().name))
    canceller = threading.Thread(target=token.cancel, name="canceller")
    with caplog.at_level(logging.ERROR, logger="inkbench.jobs"):
        canceller.start()
        canceller.join()
    assert ran_in == ["canceller"]
    assert any("cancel callback failed" in r.getMessage() for r in caplog.records)
    assert token.wait(0)
