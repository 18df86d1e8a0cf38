"""An ISO award partly over the $100,000 limit (Code §422(d)) as two OCF securities:
its ISO part under its own id, its non-qualified part as `<award_id>-NSO` (option type
NSO), each with its share of the award's transactions, so that every security carries
one option type.

The parts come from the award's ISO split (stockplan.domain.iso_limit) and its history
(each exercise records the ISO shares it took). Where the history cannot tell them
apart (an award restated by a split, accelerated, or whose exercise records do not
match its history) the award stays one ISO security and its comment gives the split.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from stockplan.domain.history import AwardEvent, EventKind
from stockplan.domain.iso_limit import IsoSplit
from stockplan.domain.model import Award, Tranche

NSO_SUFFIX = "-NSO"


@dataclass(frozen=True, slots=True)
class Parts:
    """The ISO part of each share figure; the NSO part is the rest."""

    exercises: tuple[int, ...]  # per exercise, in the order applied
    forfeited: int
    expired: int


def nso_security(award_id: str) -> str:
    return f"{award_id}{NSO_SUFFIX}"


def iso_parts(award: Award, split: IsoSplit, history: Sequence[AwardEvent]) -> Parts | None:
    """How many of each figure are ISO shares; None where the history cannot say."""
    if award.accelerated_on is not None or any(e.kind is EventKind.SPLIT for e in history):
        return None
    exercises = tuple(int(e.get("iso") or 0) for e in history if e.kind is EventKind.EXERCISE)
    forfeited = 0
    if award.shares_forfeited:
        end = award.service_ended_on
        if end is None:
            return None
        forfeited = split.iso_shares - split.iso_vested(award, end)
    left = split.iso_shares - sum(exercises) - forfeited
    if award.shares_expired and award.is_outstanding:
        return None  # expired in part: which part the history does not say
    expired = left if award.shares_expired else 0
    nso = (award.shares_forfeited - forfeited, award.shares_expired - expired)
    if min(forfeited, expired, left, *nso) < 0:
        return None
    return Parts(exercises, forfeited, expired)


def split_transactions(
    award: Award, split: IsoSplit, parts: Parts, transactions: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The award's transactions as those of its two securities; None where its exercise
    transactions do not line up with its history's exercises."""
    exercises = [t for t in transactions if t["object_type"] == "TX_EQUITY_COMPENSATION_EXERCISE"]
    if len(exercises) != len(parts.exercises):
        return None
    iso_of: dict[str, int] = {t["id"]: n for t, n in zip(exercises, parts.exercises, strict=True)}
    found: list[dict[str, Any]] = []
    for tx in transactions:
        kind = tx["object_type"]
        if kind == "TX_EQUITY_COMPENSATION_ISSUANCE":
            iso = split.iso_shares
        elif kind == "TX_EQUITY_COMPENSATION_EXERCISE":
            iso = iso_of[tx["id"]]
        elif kind == "TX_EQUITY_COMPENSATION_CANCELLATION":
            iso = parts.expired if tx["reason_text"].startswith("Expired") else parts.forfeited
        else:
            return None
        quantity = int(tx["quantity"])
        if not 0 <= iso <= quantity:
            return None
        found += _parts_of(award, tx, iso, quantity - iso)
    return found


def _parts_of(award: Award, tx: dict[str, Any], iso: int, nso: int) -> list[dict[str, Any]]:
    result = []
    if iso or tx["object_type"] == "TX_EQUITY_COMPENSATION_ISSUANCE":
        mine = {**tx, "quantity": str(iso)}
        result.append(mine)
    if nso:
        other = copy.deepcopy(tx)
        other["id"] = tx["id"].replace(award.award_id, nso_security(award.award_id), 1)
        other["security_id"] = nso_security(award.award_id)
        other["quantity"] = str(nso)
        if tx["object_type"] == "TX_EQUITY_COMPENSATION_ISSUANCE":
            other["compensation_type"] = "OPTION_NSO"
            other["option_grant_type"] = "NSO"
            if "vesting_terms_id" in other:
                other["vesting_terms_id"] = f"{nso_security(award.award_id)}-vesting"
            other["comments"] = [
                *tx.get("comments", []),
                f"The non-qualified part of award {award.award_id} (Code §422(d)); "
                f"{award.award_id} is its ISO part.",
            ]
        result.append(other)
    return result


def part_tranches(split: IsoSplit, iso: bool) -> tuple[Tranche, ...]:
    """The vesting schedule of one part: each tranche's ISO (or NSO) shares."""
    by_day: dict[date, int] = {}
    for t in split.tranches:
        shares = t.iso_shares if iso else t.nso_shares
        if shares:
            by_day[t.vest_date] = by_day.get(t.vest_date, 0) + shares
    return tuple(Tranche(d, n) for d, n in sorted(by_day.items()))
