"""How values are written in notices: dates as YYYY-MM-DD, exact money, plain share counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stockplan.domain.model import AwardType, FeeType, PlanCode, TerminationReason
from stockplan.domain.plans import plan_rules

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_AWARD_TYPES: dict[AwardType, str] = {
    AwardType.NSO: "non-qualified stock option",
    AwardType.ISO: "incentive stock option",
    AwardType.SAR: "stock appreciation right",
    AwardType.RESTRICTED_STOCK: "restricted stock award",
    AwardType.UNRESTRICTED_STOCK: "unrestricted stock award",
    AwardType.DEFERRED_STOCK: "deferred stock award",
    AwardType.PERFORMANCE: "performance award",
    AwardType.DISCRETIONARY_OPTION: "discretionary stock option",
    AwardType.FORMULA_OPTION: "formula stock option",
}

_REASONS: dict[TerminationReason, str] = {
    TerminationReason.DEATH: "death",
    TerminationReason.CAUSE: "termination for cause",
    TerminationReason.VOLUNTARY: "voluntary resignation",
    TerminationReason.INVOLUNTARY: "involuntary termination",
    TerminationReason.RETIREMENT: "retirement",
    TerminationReason.DISABILITY: "disability",
    TerminationReason.OTHER: "other",
}

_FEE_TYPES: dict[FeeType, str] = {
    FeeType.ANNUAL: "annual retainer",
    FeeType.MEETING: "meeting fee",
}


def iso(day: date) -> str:
    """The form every notice must carry: 2003-02-28."""
    return day.isoformat()


def long_date(day: date) -> str:
    """The ISO date with a friendlier form beside it: 2003-02-28 (February 28, 2003).

    Month names come from a fixed table, not the locale, so output never varies.
    """
    return f"{day.isoformat()} ({_MONTHS[day.month - 1]} {day.day}, {day.year})"


def money(value: Decimal) -> str:
    """Exact decimal, never a float and never rounded: $15.0625, $1500.00."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(value).__name__}")
    return f"${value:f}"


def shares(count: int) -> str:
    return str(count)


def share_count(count: int) -> str:
    """ "1 share", "3000 shares"."""
    return f"{count} share" if count == 1 else f"{count} shares"


def plan_title(plan: PlanCode) -> str:
    return plan_rules(plan).title


def award_type_label(award_type: AwardType) -> str:
    return _AWARD_TYPES.get(award_type, str(award_type).replace("_", " "))


def reason_label(reason: TerminationReason) -> str:
    return _REASONS.get(reason, str(reason))


def fee_label(fee_type: FeeType) -> str:
    return _FEE_TYPES.get(fee_type, str(fee_type))


def one_line(text: str) -> str:
    """Collapse line breaks and runs of blanks (subjects, values read from CSV files)."""
    return " ".join(text.split())
