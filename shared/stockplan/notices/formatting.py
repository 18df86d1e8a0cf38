"""How values are written in notices, in one place: dates as YYYY-MM-DD (a friendlier
form may stand beside it), shares with thousands separators, money and prices exact.

- shares: 90,000 (`shares`), "1 share" / "90,000 shares" (`share_count`);
- money: to the cent with thousands separators, $1,500.00; a sub-cent amount (cash in
  lieu of a fraction of a share at a 1/16 price) is written exactly, never rounded
  (docs/plan-rules.md "Fair Market Value": money is never rounded);
- prices: at least two decimals and every decimal the value has: $15.0625, $8.00, $5.60.

Also the plain words for the plans' codes (award types, termination reasons, roles).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext

from stockplan.domain.calendar import is_trading_day
from stockplan.domain.model import AwardType, FeeType, PlanCode, Role, TerminationReason
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

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

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
    return f"{day.isoformat()} ({friendly_date(day)})"


def deadline(day: date) -> str:
    """A deadline with its weekday beside it: Saturday, 2002-08-31 (the ISO form stays whole,
    so the text part still carries YYYY-MM-DD)."""
    return f"{_WEEKDAYS[day.weekday()]}, {day.isoformat()}"


def closed_day(day: date) -> str:
    """Why the exchange is closed on `day` ("falls on a Saturday", "is an NYSE holiday"),
    or "" on a trading day: a deadline on such a day does not move (docs/plan-rules.md
    "Calendar and dates")."""
    if is_trading_day(day):
        return ""
    if day.weekday() >= 5:
        return f"falls on a {_WEEKDAYS[day.weekday()]}"
    return "is an NYSE holiday"


def friendly_date(day: date) -> str:
    """February 28, 2003: only ever written beside the ISO form (docs/plan-rules.md "Notices")."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _exact(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number: {value}")
    return value


def _decimal_text(value: Decimal, min_places: int) -> str:
    """`value` with thousands separators, at least `min_places` decimals and every
    decimal it has (trailing zeros beyond `min_places` dropped): nothing is rounded."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    places = max(min_places, -exponent)
    with localcontext() as ctx:
        ctx.prec = 60
        text = f"{abs(value):,.{places}f}"
    return f"-${text}" if value < 0 else f"${text}"


def money(value: Decimal) -> str:
    """Money to the cent: $1,500.00; an amount with a fraction of a cent is written
    exactly ($17.6875), never rounded."""
    return _decimal_text(_exact(value, "money"), 2)


def price(value: Decimal) -> str:
    """A price per share with at least two decimals and its exact value: $15.0625,
    $8.00, $5.60, $6.666667."""
    return _decimal_text(_exact(value, "a price"), 2)


def shares(count: int) -> str:
    """A share count with thousands separators: 90,000."""
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"a share count must be an int, not {type(count).__name__}")
    return f"{count:,}"


def share_count(count: int) -> str:
    """ "1 share", "90,000 shares"."""
    return f"{shares(count)} share" if count == 1 else f"{shares(count)} shares"


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 row", "2 rows", "1,200 rows"."""
    noun = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {noun}"


def ratio(value: Decimal) -> str:
    """A split's ratio as written in the feed, exactly: 2, 1.5."""
    value = _exact(value, "a ratio")
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return f"{value:,.{max(0, -exponent)}f}"


def split_name(value: Decimal) -> str:
    """How a split is named: 1.5 -> "3-for-2", 2 -> "2-for-1"."""
    from fractions import Fraction  # only a split notice needs it

    fraction = Fraction(_exact(value, "a ratio"))
    return f"{fraction.numerator:,}-for-{fraction.denominator:,}"


def plan_title(plan: PlanCode) -> str:
    return plan_rules(plan).title


def award_type_label(award_type: AwardType) -> str:
    return _AWARD_TYPES.get(award_type, str(award_type).replace("_", " "))


def fee_label(fee_type: FeeType) -> str:
    return _FEE_TYPES.get(fee_type, str(fee_type))


def service_noun(role: Role | None) -> str:
    """What ended at a termination, in the participant's own terms: an employee's
    employment, a consultant's engagement, a non-employee director's service as a
    director (Directors §6(i): "a director's service with the Company")."""
    if role is Role.CONSULTANT:
        return "engagement"
    if role is Role.DIRECTOR:
        return "service as a director"
    return "employment"


# The reason as HR wrote it, in plain words, for the person (you) and for an estate
# (the name). "other" and, for a director, every reason but death add nothing: the
# Directors plan treats them alike (§6(i)).
_REASON_WORDS: dict[TerminationReason, tuple[str, str]] = {
    TerminationReason.CAUSE: ("it was ended for cause", "it was ended for cause"),
    TerminationReason.VOLUNTARY: ("you resigned", "{name} resigned"),
    TerminationReason.INVOLUNTARY: ("the Company ended it", "the Company ended it"),
    TerminationReason.RETIREMENT: ("you retired", "{name} retired"),
    TerminationReason.DISABILITY: (
        "it ended because of disability",
        "it ended because of disability",
    ),
}


def reason_words(reason: TerminationReason, role: Role | None, name: str | None = None) -> str:
    """Why the service ended, in plain words, or "" when the reason adds nothing.

    `name` given: said of someone else (an estate's notice)."""
    if role is Role.DIRECTOR:
        return ""
    words = _REASON_WORDS.get(reason)
    if words is None:
        return ""
    mine, theirs = words
    return mine if name is None else theirs.format(name=name)


def one_line(text: str) -> str:
    """Collapse line breaks and runs of blanks (subjects, values read from CSV files)."""
    return " ".join(text.split())
