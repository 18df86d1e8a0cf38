"""Strict parsers for one CSV cell, and the pydantic field types built on them.

Every parser takes the cell text (already stripped of surrounding blanks) and returns a
typed value, or raises `CellError` with a short reason a person can act on. The reasons
do not name the column: the row layer puts `<column>: ` in front.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from stockplan.domain.model import (
    AwardType,
    CorporateActionKind,
    CorrectionAction,
    DecisionAction,
    ElectionAction,
    FeeType,
    MeetingOutcome,
    PlanActionKind,
    PlanCode,
    Role,
    Service,
    TerminationReason,
    Tranche,
)

EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_ID_LENGTH = 64
# Share counts and decimals are bounded so that every value fits a DynamoDB number
# (38 significant digits) with room for split arithmetic.
MAX_SHARE_DIGITS = 15
MAX_INTEGER_DIGITS = 12
MAX_FRACTION_DIGITS = 10

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHARES_RE = re.compile(r"[0-9]+")
_DECIMAL_RE = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?")
_ID_RE = re.compile(r"[A-Za-z0-9._-]+")
# Fast path for the usual ASCII cell: its only control characters are C0 and DEL.
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# Unicode categories refused in every cell a feed reads: control characters (Cc), line
# and paragraph separators (Zl, Zp), and invisible format characters (Cf): the
# bidirectional overrides and isolates U+202A-202E and U+2066-2069, the marks U+200E
# and U+200F, zero-width characters and the like, which can make a name, an id or a
# reason display as something other than what it is.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
ONE_LINE = "must be on one line, without control characters"

E = TypeVar("E", bound=StrEnum)


class CellError(ValueError):
    """One cell's value is not acceptable; `reason` says why (without the column name)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def invisible_character_problem(text: str) -> str | None:
    """Why `text` may not be a cell because of a control, separator or format character
    (None when it has none). The reason names the character by its code point and never
    repeats the cell, so the character cannot reach an errors CSV or an email."""
    if text.isascii():
        return ONE_LINE if _ASCII_CONTROL_RE.search(text) else None
    for ch in text:
        category = unicodedata.category(ch)
        if category not in _REFUSED_CATEGORIES:
            continue
        if category != "Cf":
            return ONE_LINE
        name = unicodedata.name(ch, "FORMAT CHARACTER")
        return (
            f"contains the invisible character U+{ord(ch):04X} ({name}), which can"
            " disguise the text: type the cell again without it"
        )
    return None


def shown(text: str, limit: int = 40) -> str:
    """A cell value quoted for a reason, cut short when long."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + text + "'"


def parse_date(text: str) -> date:
    if not _DATE_RE.fullmatch(text):
        raise CellError(f"must be a date written YYYY-MM-DD, got {shown(text)}")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{shown(text)} is not a calendar date") from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise CellError(
            f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()},"
            f" got {shown(text)}"
        )
    return value


def parse_shares(text: str) -> int:
    """A whole, non-negative number of shares written with digits only."""
    if not _SHARES_RE.fullmatch(text):
        raise CellError(f"must be a whole number of shares, got {shown(text)}")
    digits = text.lstrip("0") or "0"
    if len(digits) > MAX_SHARE_DIGITS:
        raise CellError(f"is too large a number of shares, got {shown(text)}")
    return int(digits)


_N = TypeVar("_N", int, Decimal)


def parse_positive_shares(text: str) -> int:
    return _more_than_zero(parse_shares(text), text, "0 shares")


def parse_decimal(text: str) -> Decimal:
    """A non-negative decimal written plainly: `12`, `12.50`, `.5` (no sign, exponent, commas)."""
    match = _DECIMAL_RE.fullmatch(text)
    if match is None or not (match["int"] or match["frac"]):
        raise CellError(f"must be a plain decimal number like 12.50, got {shown(text)}")
    integer = match["int"].lstrip("0")
    fraction = match["frac"] or ""
    if len(integer) > MAX_INTEGER_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
        raise CellError(
            f"has too many digits (at most {MAX_INTEGER_DIGITS} before and"
            f" {MAX_FRACTION_DIGITS} after the decimal point), got {shown(text)}"
        )
    return Decimal(text)


def parse_positive_decimal(text: str) -> Decimal:
    return _more_than_zero(parse_decimal(text), text, "0")


def _more_than_zero(value: _N, text: str, zero: str) -> _N:
    """`value` read from `text`, refused unless it is more than `zero`."""
    if value <= 0:
        raise CellError(f"must be more than {zero}, got {shown(text)}")
    return value


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise CellError(f"must be true or false, got {shown(text)}")


def parse_enum(enum: type[E], text: str) -> E:
    """One of the documented lower-case codes; any letter case is accepted."""
    try:
        return enum(text.lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise CellError(f"must be one of {allowed}, got {shown(text)}") from None


def parse_id(text: str) -> str:
    if len(text) > MAX_ID_LENGTH or not _ID_RE.fullmatch(text):
        raise CellError(
            f"must be 1 to {MAX_ID_LENGTH} characters among A-Z a-z 0-9 . _ -, got {shown(text)}"
        )
    return text


def parse_text(text: str) -> str:
    """Free text on one line (it may end up in an email header), without invisible
    control or direction characters."""
    problem = invisible_character_problem(text)
    if problem is not None:
        raise CellError(problem)
    return text


def parse_email(text: str) -> str:
    """A valid address SES can send to, in its ASCII form (domain in lower case).

    SES takes only ASCII addresses: the part before the @ must be ASCII (an address like
    `josé@example.com` needs SMTPUTF8, which SES does not offer), and an international
    domain is stored converted with IDNA (`jose@exämple.com` is kept as
    `jose@xn--exmple-cua.com`), so the To: header and SES's destination are the same
    plain address. `test_environment=True` lets the reserved `.test` domain through for
    simulations; no DNS look-up is made. email_validator is imported here, not at module
    level: only the participants feed needs it, and its import (about 25 ms of regex
    compiling) would otherwise be part of every feed's cold start.
    """
    from email_validator import EmailNotValidError, validate_email

    local = text.rpartition("@")[0]
    if not local.isascii():
        raise CellError(
            f"is not an address SES can send to, got {shown(text)}: the part before the @"
            " must be plain ASCII, without accented or other international letters"
        )
    try:
        result = validate_email(
            text, check_deliverability=False, test_environment=True, allow_smtputf8=False
        )
    except EmailNotValidError as exc:
        raise CellError(f"is not a valid email address, got {shown(text)}: {exc}") from None
    if not result.ascii_email:
        raise CellError(f"is not an address SES can send to, got {shown(text)}")
    return str(result.ascii_email)


def parse_vesting(text: str) -> tuple[Tranche, ...]:
    """Tranches `YYYY-MM-DD:N;YYYY-MM-DD:N`, sorted by date. Empty parts are ignored."""
    tranches: list[Tranche] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        day_text, sep, shares_text = part.partition(":")
        if not sep:
            raise CellError(
                f"tranches must be written YYYY-MM-DD:N;YYYY-MM-DD:N, got {shown(part)}"
            )
        try:
            day = parse_date(day_text.strip())
            shares = parse_positive_shares(shares_text.strip())
        except CellError as exc:
            raise CellError(f"tranche {shown(part)}: {exc.reason}") from None
        tranches.append(Tranche(vest_date=day, shares=shares))
    return tuple(sorted(tranches, key=lambda t: t.vest_date))


def parse_corrected_vesting(text: str) -> tuple[Tranche, ...]:
    """A correct_grant's vesting: `none` is vested at grant (docs/plan-rules.md "Corrections");
    otherwise tranches as in the grants feed."""
    if text.strip().lower() == "none":
        return ()
    tranches = parse_vesting(text)
    if not tranches:
        raise CellError("write the tranches, or none for vested at grant")
    return tranches


# How an exercise is paid, in this order when combined (1998 §6.b.(3); Directors §6(f)).
PAYMENT_FORMS = ("cash", "shares", "broker", "withheld")


def parse_payment(text: str) -> str:
    """`cash`, `shares`, `broker`, `withheld` or a combination joined by `+`, written
    back in one order so the same payment always reads the same."""
    parts = [part.strip().lower() for part in text.split("+")]
    unknown = [part for part in parts if part not in PAYMENT_FORMS]
    if unknown:
        raise CellError(
            f"{shown(text)} is not a payment: write {', '.join(PAYMENT_FORMS)} "
            "or a combination joined by + (e.g. cash+shares)"
        )
    return "+".join(form for form in PAYMENT_FORMS if form in parts)


def _cell(parser: Callable[[str], object]) -> BeforeValidator:
    """A pydantic validator that runs `parser` on the cell text.

    Every cell is first checked for control, separator and invisible format characters
    (whatever its type: an id, a date or an enum must not carry one either, and their
    parsers' reasons would quote the cell). The reason travels through the template
    context, so braces in cell values are safe.
    """

    def validate(value: object) -> object:
        if not isinstance(value, str):
            raise PydanticCustomError(
                "feed_cell", "must be text, got {kind}", {"kind": type(value).__name__}
            )
        problem = invisible_character_problem(value)
        if problem is not None:
            raise PydanticCustomError("feed_cell", "{reason}", {"reason": problem})
        try:
            return parser(value)
        except CellError as exc:
            raise PydanticCustomError("feed_cell", "{reason}", {"reason": exc.reason}) from None

    return BeforeValidator(validate)


def _enum_cell(enum: type[E]) -> BeforeValidator:
    return _cell(lambda text: parse_enum(enum, text))


DateCell = Annotated[date, _cell(parse_date)]
OptionalDateCell = Annotated[date | None, _cell(parse_date)]
SharesCell = Annotated[int, _cell(parse_shares)]
PositiveSharesCell = Annotated[int, _cell(parse_positive_shares)]
PositiveDecimalCell = Annotated[Decimal, _cell(parse_positive_decimal)]
OptionalPositiveDecimalCell = Annotated[Decimal | None, _cell(parse_positive_decimal)]
BoolCell = Annotated[bool, _cell(parse_bool)]
OptionalBoolCell = Annotated[bool | None, _cell(parse_bool)]
IdCell = Annotated[str, _cell(parse_id)]
OptionalIdCell = Annotated[str | None, _cell(parse_id)]
TextCell = Annotated[str, _cell(parse_text)]
OptionalTextCell = Annotated[str | None, _cell(parse_text)]
EmailCell = Annotated[str, _cell(parse_email)]
OptionalEmailCell = Annotated[str | None, _cell(parse_email)]
VestingCell = Annotated[tuple[Tranche, ...], _cell(parse_vesting)]
OptionalVestingCell = Annotated[tuple[Tranche, ...] | None, _cell(parse_corrected_vesting)]
OptionalSharesCell = Annotated[int | None, _cell(parse_positive_shares)]
PaymentCell = Annotated[str, _cell(parse_payment)]
OptionalCountCell = Annotated[int | None, _cell(parse_shares)]

PlanCell = Annotated[PlanCode, _enum_cell(PlanCode)]
RoleCell = Annotated[Role, _enum_cell(Role)]
AwardTypeCell = Annotated[AwardType, _enum_cell(AwardType)]
TerminationReasonCell = Annotated[TerminationReason, _enum_cell(TerminationReason)]
MeetingOutcomeCell = Annotated[MeetingOutcome, _enum_cell(MeetingOutcome)]
ElectionActionCell = Annotated[ElectionAction, _enum_cell(ElectionAction)]
FeeTypeCell = Annotated[FeeType, _enum_cell(FeeType)]
CorporateActionCell = Annotated[CorporateActionKind, _enum_cell(CorporateActionKind)]
CorrectionActionCell = Annotated[CorrectionAction, _enum_cell(CorrectionAction)]
DecisionActionCell = Annotated[DecisionAction, _enum_cell(DecisionAction)]
PlanActionCell = Annotated[PlanActionKind, _enum_cell(PlanActionKind)]
OptionalTerminationReasonCell = Annotated[TerminationReason | None, _enum_cell(TerminationReason)]
OptionalServiceCell = Annotated[Service | None, _enum_cell(Service)]
OptionalCorporateActionCell = Annotated[CorporateActionKind | None, _enum_cell(CorporateActionKind)]
