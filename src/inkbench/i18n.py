"""The interface's language: one gettext catalog per language, chosen once per
process and switchable at run time.

Every string a user reads goes through these functions::

    from inkbench.i18n import _, N_, ngettext

    notify(_("Saved {title}").format(title=title))
    print(ngettext("{n} article", "{n} articles", n).format(n=n))
    TITLE = N_("Articles")      # marked at import time, translated where shown: _(TITLE)

Messages are English in the code (the msgid) and translated from the catalogs
in ``assets/locale/<lang>/LC_MESSAGES/inkbench.po``; Babel extracts them
(``make messages``) and compiles them to ``.mo`` files (``make install`` in a
checkout, the build in a wheel). A language without a compiled catalog falls
back to English, the msgids themselves.

The choice: ``[ui] language`` in config.toml, else ``LC_ALL`` /
``LC_MESSAGES`` / ``LANG`` (any ``zh*`` means Chinese), else English;
``inkbench --lang zh`` for one run. Stdlib and Babel only: every layer may
import this module.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from datetime import date, datetime

DOMAIN = "inkbench"

#: language code → (the catalog's locale, its own name for itself)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("en", "English"),
    "zh": ("zh_CN", "简体中文"),
}
DEFAULT = "en"

_current = DEFAULT
_catalog: _gettext.NullTranslations = _gettext.NullTranslations()


def normalize(value: str | None) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` → ``zh``; ``en_US`` → ``en``; else None."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split(".")[0].split("@")[0]
    if code in ("c", "posix", ""):
        return None
    base = code.split("_")[0]
    return base if base in LANGUAGES else None


def detect(configured: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to use: the configured one, else the locale environment, else English."""
    chosen = normalize(configured)
    if chosen:
        return chosen
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            # the first variable that is set decides, as for the C library
            return normalize(value) or DEFAULT
    return DEFAULT


def locale_dir() -> str:
    """Where the compiled catalogs are (inside the installed package)."""
    from inkbench.storage.assets import asset_path

    return str(asset_path("locale"))


def set_language(language: str) -> str:
    """Switch every later ``_()`` to ``language`` (a code from ``LANGUAGES``)."""
    global _current, _catalog
    code = normalize(language) or DEFAULT
    if code == DEFAULT:
        _catalog = _gettext.NullTranslations()
    else:
        locale, _name = LANGUAGES[code]
        _catalog = _gettext.translation(
            DOMAIN, localedir=locale_dir(), languages=[locale], fallback=True
        )
    _current = code
    return code


def language() -> str:
    """The current language code (``en`` or ``zh``)."""
    return _current


def babel_locale() -> str:
    """The current language as a Babel/CLDR locale name (``en``, ``zh_CN``)."""
    return LANGUAGES[_current][0]


def _(message: str) -> str:
    """``message`` in the current language."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _catalog.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart from the same English
    word used elsewhere by ``context``."""
    return _catalog.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (module
    constants, class attributes): translate it with ``_()`` where it is shown."""
    return message


def format_date(value: date | datetime) -> str:
    """A date as the language writes it: ``2026-11-30`` / ``2026年11月30日``."""
    day = value.date() if isinstance(value, datetime) else value
    if _current == "en":
        return day.isoformat()
    from babel.dates import format_date as babel_format_date

    return babel_format_date(day, format="long", locale=babel_locale())


def format_datetime(value: datetime) -> str:
    """A date and time to the minute: ``2026-11-30 09:05`` / ``2026年11月30日 09:05``."""
    return f"{format_date(value)} {value:%H:%M}"


def format_number(value: int | float) -> str:
    """A number with the language's grouping: ``1,234``."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale())


def format_words(n: int) -> str:
    """A word count: ``1,234 words`` / ``1,234 字``."""
    return ngettext("{n} word", "{n} words", n).format(n=format_number(n))


def aside(text: str | None) -> str:
    """``text`` as a bracketed aside after what it qualifies: `` (note)`` /
    ``（note）``; nothing when there is no text."""
    return _(" ({text})").format(text=text) if text else ""
