"""What an assistant sees: context assembled from the text and its story bible.

For an action on a chapter (or article) at a cursor or on a selection, the
messages are, in order:

1. system: the assistant's system prompt (its Chinese one for Chinese text),
   then the story notes: the bible entries the selection and the chapter name
   (characters with their attributes, then world entries), closest to the
   cursor first, and the synopses of the previous chapters;
2. the assistant's examples, as user/assistant pairs;
3. user: the text before the cursor (its end), the selection, the text after
   it, and the request.

Everything is fitted into the model's context budget (``[ai.budgets]``):
the system prompt, the examples, the selection and the request always go
(if they alone do not fit, ``ContextTooLarge``); of the rest, the story notes
take at most 30 %, the synopses 15 %, the text around the cursor what is
left. What was cut is said, one line each, in ``Context.cut``. The same
inputs give the same messages: no clock, no randomness, ties broken by id.

Tokens are estimated without a tokenizer, which differs per model: a CJK
character (or any other of three UTF-8 bytes or more) counts one token, a
Latin word 4/3, an ASCII symbol 1/2; counted by C string methods only.
Standard library, ahocorasick-rs (through ``storage.mentions``) and one
read-only SQLite connection; a 200,000-character chapter with 2,000 bible
entries assembles in a few milliseconds (``make bench``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from inkbench.i18n import _, ngettext
from inkbench.integrations.assist.actions import ACTIONS, INSTRUCTIONS, LABELS, Action
from inkbench.storage.assist_reads import (
    CHARACTER_FIELDS,
    aliases_of,
    character_rows,
    count_named,
    earlier_synopses,
    live_text,
    named_by_count,
    world_entry_rows,
)
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.mentions import matcher_for

_ALNUM_SPACE = bytes(
    c for c in range(128) if chr(c).isalnum() or chr(c).isspace()
)  # deleted from ASCII text, what is left are its symbols

NOTES_SHARE = 0.30
SYNOPSES_SHARE = 0.15
AFTER_SHARE = 0.25  # of the text's share, for the text after a selection
NOTES_BATCH = 32  # entries described at a time, until the notes' share is full
CHUNK = 1000  # characters: how finely "closest to the cursor" is measured
SNAP = 300  # a cut moves to the next line break if one is this close

_FIELD_LABELS = {
    "en": {f: f for f in CHARACTER_FIELDS},
    "zh": {
        "age": "年龄",
        "gender": "性别",
        "appearance": "外貌",
        "personality": "性格",
        "background": "背景",
        "motivation": "动机",
        "flaws": "缺点",
        "strengths": "长处",
    },
}
_ROLE_LABELS = {
    "en": {r: r for r in ("protagonist", "antagonist", "supporting", "minor")},
    "zh": {"protagonist": "主角", "antagonist": "反派", "supporting": "配角", "minor": "次要"},
}


def _parts(text: str) -> tuple[int, int, int]:
    """(wide characters, Latin words, ASCII symbols) of ``text``, all counted in C:
    a wide character is one of three UTF-8 bytes or more (CJK, kana, hangul,
    their punctuation); a Latin word a run of ASCII between spaces."""
    wide = (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2
    ascii_only = text.encode("ascii", "ignore")
    words = len(ascii_only.split())
    symbols = len(ascii_only.translate(None, _ALNUM_SPACE))
    return wide, words, symbols


def count_tokens(text: str) -> int:
    """Estimated tokens: CJK characters 1, Latin words 4/3, ASCII symbols 1/2."""
    if not text:
        return 0
    wide, words, symbols = _parts(text)
    return wide + (words * 4 + 2) // 3 + (symbols + 1) // 2


def text_language(text: str) -> str:
    """``"zh"`` when CJK characters outnumber Latin words in ``text``, else ``"en"``."""
    wide, words, _symbols = _parts(text[:4000])
    return "zh" if wide >= words else "en"


class ContextTooLarge(InvalidInput):
    """What must be sent does not fit the model's budget."""


@dataclass(frozen=True)
class Persona:
    """What the context needs of an assistant."""

    name: str
    system_prompt: str
    system_prompt_zh: str = ""
    examples: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Context:
    """The messages to send and how they were fitted into the budget."""

    messages: list[dict[str, str]]
    tokens: int
    budget: int
    cut: list[str]
    entries: list[str]  # the bible entries included, in order
    language: str
    owner: str  # "chapter" or "article"
    owner_id: int
    work_id: int | None
    start: int  # the selection (start == end: a cursor)
    end: int
    action: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """For ``--json`` and ``--show-context``."""
        return {
            "messages": self.messages,
            "tokens": self.tokens,
            "budget": self.budget,
            "cut": self.cut,
            "entries": self.entries,
            "language": self.language,
            self.owner + "_id": self.owner_id,
            "range": [self.start, self.end],
        }


def _tail(text: str, budget: int) -> str:
    """The end of ``text`` within ``budget`` tokens, starting at a line if one is near."""
    if budget <= 0 or not text:
        return ""
    kept: list[str] = []
    used = 0
    lines = text.splitlines(keepends=True)
    for line in reversed(lines):
        n = count_tokens(line)
        if used + n > budget:
            lo, hi = 0, len(line)  # the shortest tail of this line that is too long
            while lo < hi:
                mid = (lo + hi) // 2
                if used + count_tokens(line[mid:]) <= budget:
                    hi = mid
                else:
                    lo = mid + 1
            part = line[lo:]
            if part and (len(kept) == 0 or len(part) > SNAP):
                kept.append(part)
            break
        kept.append(line)
        used += n
    return "".join(reversed(kept))


def _head(text: str, budget: int) -> str:
    """The start of ``text`` within ``budget`` tokens."""
    if budget <= 0 or not text:
        return ""
    kept: list[str] = []
    used = 0
    for line in text.splitlines(keepends=True):
        n = count_tokens(line)
        if used + n > budget:
            lo, hi = 0, len(line)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if used + count_tokens(line[:mid]) <= budget:
                    lo = mid
                else:
                    hi = mid - 1
            if line[:lo] and (not kept or lo > SNAP):
                kept.append(line[:lo])
            break
        kept.append(line)
        used += n
    return "".join(kept)


def _order_entries(
    conn: sqlite3.Connection,
    chapter_id: int,
    work_id: int,
    body: str,
    start: int,
    end: int,
    window: int,
) -> tuple[Iterator[tuple[str, int]], int]:
    """The entries the chapter or selection names, closest to the cursor
    first, lazily, and how many there are: those in the selection, then those
    within ``window`` characters of it by distance (in CHUNK steps), then the
    rest by how often the chapter names them, where first, and id. Which
    entries a chapter names is read from ``mention`` (kept on every save),
    so only the window is scanned."""
    total = count_named(conn, chapter_id)
    matcher = matcher_for(conn, work_id)
    distance: dict[tuple[str, int], int] = {}
    if end > start:
        for key in matcher.find(body[start:end]):
            distance[key] = -1
    spans = []
    hi = start
    while hi > max(0, start - window):
        lo = max(0, hi - CHUNK)
        spans.append((start - hi, lo, hi))
        hi = lo
    lo = end
    while lo < min(len(body), end + window // 4):  # the text after matters less
        hi = min(len(body), lo + CHUNK)
        spans.append((lo - end, lo, hi))
        lo = hi
    spans.sort()
    for d, lo, hi in spans:
        if len(distance) >= total:
            break
        for key, _found in sorted(matcher.find(body[lo:hi]).items()):
            if key not in distance:
                distance[key] = d
    near = sorted(distance, key=lambda k: (distance[k], k[0], k[1]))
    extra = sum(1 for d in distance.values() if d < 0)  # named in a selection not saved yet

    def ordered() -> Iterator[tuple[str, int]]:
        yield from near
        for cid, wid in named_by_count(conn, chapter_id):
            key = ("character", cid) if cid is not None else ("world_entry", wid)
            if key not in distance:
                yield key

    return ordered(), total + extra


def _entry_lines(
    conn: sqlite3.Connection, keys: Sequence[tuple[str, int]], language: str
) -> dict[tuple[str, int], tuple[str, str]]:
    """(name, one line describing it) per entry."""
    out: dict[tuple[str, int], tuple[str, str]] = {}
    chars = [i for k, i in keys if k == "character"]
    places = [i for k, i in keys if k == "world_entry"]
    fields = _FIELD_LABELS[language]
    roles = _ROLE_LABELS[language]
    sep = "；" if language == "zh" else "; "
    colon = "：" if language == "zh" else ": "
    aliases: dict[tuple[str, int], list[str]] = {}
    for cid, wid, name in aliases_of(conn, chars, places):
        key = ("character", cid) if cid is not None else ("world_entry", wid)
        aliases.setdefault(key, []).append(name)
    if chars:
        for row in character_rows(conn, chars):
            cid, name, role, description, *attrs = row
            key = ("character", cid)
            also = aliases.get(key)
            head = name + (f" ({', '.join(also)})" if also else "")
            parts = [roles.get(role, role)]
            if description:
                parts.append(description)
            parts += [
                f"{fields[f]}{colon}{v}" for f, v in zip(CHARACTER_FIELDS, attrs, strict=True) if v
            ]
            out[key] = (name, f"- {head}{colon}{sep.join(parts)}")
    if places:
        for wid, title, category, content in world_entry_rows(conn, places):
            key = ("world_entry", wid)
            also = aliases.get(key)
            head = title + (f" ({', '.join(also)})" if also else "")
            out[key] = (title, f"- {head} [{category}]{colon}{content}")
    return out


def _notes(
    conn: sqlite3.Connection,
    chapter_id: int,
    work_id: int,
    body: str,
    start: int,
    end: int,
    language: str,
    budget: int,
    window: int,
) -> tuple[list[str], list[str], list[str], int]:
    """(character lines, world lines, names included, how many left out)."""
    ordered, total = _order_entries(conn, chapter_id, work_id, body, start, end, window)
    chars: list[str] = []
    places: list[str] = []
    names: list[str] = []
    used = 0
    full = False
    while not full:
        batch = list(islice(ordered, NOTES_BATCH))
        if not batch:
            break
        lines = _entry_lines(conn, batch, language)
        for key in batch:
            if key not in lines:
                continue
            name, line = lines[key]
            n = count_tokens(line) + 1
            if used + n > budget:
                full = True
                break
            used += n
            names.append(name)
            (chars if key[0] == "character" else places).append(line)
    return chars, places, names, max(0, total - len(names))


def _synopses(
    conn: sqlite3.Connection, work_id: int, position: int, budget: int, colon: str
) -> tuple[list[str], int]:
    """The previous chapters' synopses within ``budget``, in chapter order,
    and how many earlier ones were left out."""
    rows = earlier_synopses(conn, work_id, position)
    kept: list[str] = []
    used = 0
    for title, synopsis in rows:
        line = f"- {title}{colon}{synopsis}"
        n = count_tokens(line) + 1
        if used + n > budget:
            break
        used += n
        kept.append(line)
    return list(reversed(kept)), len(rows) - len(kept)


def _load(conn: sqlite3.Connection, owner: str, owner_id: int) -> tuple:
    if owner not in ("chapter", "article"):
        raise InvalidInput(_("assist works on a chapter or an article"))
    row = live_text(conn, owner, owner_id)
    if row is None:
        if owner == "chapter":
            message = _("no chapter with id {id}; it may be in the Trash")
        else:
            message = _("no article with id {id}; it may be in the Trash")
        raise NotFound(message.format(id=owner_id))
    return row


def assemble(
    conn: sqlite3.Connection,
    *,
    owner: str,
    owner_id: int,
    action: str,
    persona: Persona,
    budget: int,
    start: int | None = None,
    end: int | None = None,
    note: str = "",
    text: str | None = None,
) -> Context:
    """The messages for ``action`` on a chapter or article, at the cursor
    ``start == end`` (default: the end of the text) or on the selection
    ``start:end`` (character offsets), within ``budget`` tokens. ``text``
    stands for the stored text (an editor's unsaved text)."""
    spec: Action | None = ACTIONS.get(action)
    if spec is None:
        raise InvalidInput(
            _("unknown action {action!r}; use one of {actions}").format(
                action=action, actions=", ".join(ACTIONS)
            )
        )
    if spec.chapter_only and owner != "chapter":
        raise InvalidInput(_("{action} works on chapters only").format(action=action))
    title, body, work_id, position = _load(conn, owner, owner_id)
    body = (body or "") if text is None else text
    if start is None and end is None:
        start = end = len(body)
    elif start is None or end is None:
        start = end = start if start is not None else end
    if not 0 <= start <= end <= len(body):
        raise InvalidInput(
            _("the range {start}:{end} is outside the text (0:{length})").format(
                start=start, end=end, length=len(body)
            )
        )
    selection = body[start:end]
    if spec.needs_selection and not selection.strip():
        raise InvalidInput(
            _("{action} works on a selection: pass --range START:END around some text").format(
                action=action
            )
        )
    if action == "summarise":
        start, end, selection = 0, len(body), ""
    language = text_language(selection or body[max(0, start - 4000) : start + 4000] or title)
    labels = LABELS[language]
    colon = "：" if language == "zh" else ": "
    prompt = (persona.system_prompt_zh if language == "zh" else "") or persona.system_prompt
    request = INSTRUCTIONS[language][action] + (f"\n{note.strip()}" if note.strip() else "")

    fixed = (
        count_tokens(prompt)
        + sum(count_tokens(u) + count_tokens(a) for u, a in persona.examples)
        + count_tokens(selection)
        + count_tokens(request)
        + count_tokens(title)
        + 40  # headings and message framing
    )
    if fixed > budget:
        raise ContextTooLarge(
            _(
                "the selection and the assistant's prompt are about {tokens} tokens, more than "
                "the budget of {budget}; select less or raise [ai.budgets] in config.toml"
            ).format(tokens=fixed, budget=budget)
        )
    rest = budget - fixed
    cut: list[str] = []

    chars: list[str] = []
    places: list[str] = []
    names: list[str] = []
    synopses: list[str] = []
    if work_id is not None:
        scan_start, scan_end = (start, end) if action != "summarise" else (0, 0)
        chars, places, names, left_out = _notes(
            conn,
            owner_id,
            work_id,
            body,
            scan_start,
            scan_end,
            language,
            int(rest * NOTES_SHARE),
            window=rest,
        )
        if left_out:
            cut.append(
                ngettext(
                    "story notes: {n} entry left out (the farthest from the cursor)",
                    "story notes: {n} entries left out (the farthest from the cursor)",
                    left_out,
                ).format(n=left_out)
            )
        synopses, earlier = _synopses(conn, work_id, position, int(rest * SYNOPSES_SHARE), colon)
        if earlier:
            cut.append(
                ngettext(
                    "synopses: {n} earlier chapter left out",
                    "synopses: {n} earlier chapters left out",
                    earlier,
                ).format(n=earlier)
            )
    notes_text = "\n".join(chars + places)
    synopses_text = "\n".join(synopses)
    text_budget = rest - count_tokens(notes_text) - count_tokens(synopses_text)
    before_all, after_all = body[:start], body[end:]
    if spec.apply == "insert" or not selection:
        after_all = ""
        before = _tail(before_all, text_budget)
        after = ""
    else:
        after = _head(after_all, int(text_budget * AFTER_SHARE))
        before = _tail(before_all, text_budget - count_tokens(after))
    if len(before) < len(before_all):
        cut.append(
            _("text before the cursor: the last {kept} of {total} characters sent").format(
                kept=len(before), total=len(before_all)
            )
        )
    if len(after) < len(after_all):
        cut.append(
            _("text after the selection: the first {kept} of {total} characters sent").format(
                kept=len(after), total=len(after_all)
            )
        )

    system = prompt
    if chars or places or synopses:
        parts = [f"## {labels['notes']}"]
        if chars:
            parts.append(f"### {labels['characters']}\n" + "\n".join(chars))
        if places:
            parts.append(f"### {labels['places']}\n" + "\n".join(places))
        if synopses:
            parts.append(f"### {labels['synopses']}\n" + synopses_text)
        system += "\n\n" + "\n\n".join(parts)
    messages = [{"role": "system", "content": system}]
    for user, reply in persona.examples:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    user_parts = [f"## {labels['title']}\n{title}"]
    if selection:
        if before:
            user_parts.append(f"## {labels['before']}\n{before}")
        user_parts.append(f"## {labels['selection']}\n{selection}")
        if after:
            user_parts.append(f"## {labels['after']}\n{after}")
    elif before:
        key = "text" if action in ("summarise", "review") or spec.apply == "none" else "before"
        user_parts.append(f"## {labels[key]}\n{before}")
    user_parts.append(f"## {labels['request']}\n{request}")
    messages.append({"role": "user", "content": "\n\n".join(user_parts)})
    tokens = sum(count_tokens(m["content"]) for m in messages) + 4 * len(messages)
    return Context(
        messages=messages,
        tokens=tokens,
        budget=budget,
        cut=cut,
        entries=names,
        language=language,
        owner=owner,
        owner_id=owner_id,
        work_id=work_id,
        start=start,
        end=end,
        action=action,
    )
