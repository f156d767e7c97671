"""``target_for(account)``: the target that speaks the account's protocol.

Each kind's module is imported only when an account of that kind is used, so
a missing optional module gives one line instead of an import error."""

from __future__ import annotations

import importlib

from inkbench.i18n import _
from inkbench.integrations.publish.base import Account, Rejected, Target

# kind -> (module, class)
_TARGETS = {
    "folder": ("inkbench.integrations.publish.folder", "FolderTarget"),
    "webhook": ("inkbench.integrations.publish.webhook", "WebhookTarget"),
    "wordpress": ("inkbench.integrations.publish.wordpress", "WordPressTarget"),
    "metaweblog": ("inkbench.integrations.publish.metaweblog", "MetaWeblogTarget"),
}


def target_for(account: Account) -> Target:
    """A target for ``account``; ``Rejected`` (one line) when its kind is
    unknown or not available in this installation."""
    spec = _TARGETS.get(account.kind)
    if spec is None:
        raise Rejected(
            _("unknown account kind {kind!r}; use one of: {choices}").format(
                kind=account.kind, choices=", ".join(_TARGETS)
            )
        )
    module_name, class_name = spec
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except (ImportError, AttributeError):
        raise Rejected(
            _("publishing to {kind} accounts is not available in this installation").format(
                kind=account.kind
            )
        ) from None
    return cls(account)
