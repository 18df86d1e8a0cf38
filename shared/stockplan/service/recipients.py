"""Where a participant's notices go (docs/plan-rules.md "Vesting and termination")."""

from __future__ import annotations

from stockplan.data.table import Item


class Addresses:
    """Where a participant's notices go (docs/plan-rules.md "Vesting and termination")."""

    def __init__(self, admin_email: str) -> None:
        self.admin_email = admin_email

    def for_participant(self, item: Item) -> str:
        if item.get("death"):
            # Never the deceased's own mailbox: the estate, else the administrator.
            return str(item.get("estate_email") or self.admin_email)
        if item.get("termination"):
            # The work mailbox closes at termination.
            return str(item.get("personal_email") or item["email"])
        return str(item["email"])
