"""Stored items <-> domain objects. Keys and item shapes live here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stockplan.data.table import Update
from stockplan.domain.model import (
    Award,
    AwardType,
    CorporateAction,
    CorporateActionKind,
    DeferredStatus,
    DeferredStockAward,
    Election,
    ElectionAction,
    FeeType,
    Participant,
    PlanAction,
    PlanActionKind,
    PlanCode,
    PriceBar,
    Role,
    Service,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.pools import Split
from stockplan.domain.roles import RoleHistory
from stockplan.domain.schedule import DueItem, DueKind

Item = dict[str, Any]

OPEN_AWARDS = "OPEN#AWARDS"
OPEN_DEFERRED = "OPEN#DEFERRED"
DUE = "DUE"
PENDING_NOTICES = "OUTBOX#PENDING"
# Notices that did not reach their recipient: bounced, complained about, or failed after
# every send attempt (`stockplan report` lists them).
UNDELIVERED_NOTICES = "OUTBOX#UNDELIVERED"
REJECTIONS = "REJECTIONS"
# What is still ahead (scheduled facts, corporate actions, meetings and fees fed before
# their date), by day: `stockplan report --upcoming` and the monthly report read it.
UPCOMING = "UPCOMING"
PRICES = "PRICES"
POOL = "POOL"


def changes_partition(day: date) -> str:
    """The DueIndex partition of the audit records of `day`'s month: the monthly report
    reads a month's changes with one query (stockplan.service.periodic), never a scan."""
    return f"CHANGES#{day.year:04d}-{day.month:02d}"


def from_wire_item(raw: dict[str, Any]) -> Item:
    from stockplan.data.table import from_wire

    return from_wire(raw)


def participant_pk(participant_id: str) -> str:
    return f"P#{participant_id}"


PROFILE_SK = "PROFILE"
AWARD_PREFIX = "AWARD#"
ROSTER_PREFIX = "ROSTER#"
ACTION_SK = "ACTION"


def profile_key(participant_id: str) -> tuple[str, str]:
    return participant_pk(participant_id), PROFILE_SK


def award_sk(award_id: str) -> str:
    return f"{AWARD_PREFIX}{award_id}"


def award_owner_key(award_id: str) -> tuple[str, str]:
    """The item that names an award's participant (an award found by its id alone)."""
    return f"{AWARD_PREFIX}{award_id}", "OWNER"


def meeting_pk(meeting: str) -> str:
    """The partition of an annual meeting (ISO day): its roster, its due item."""
    return f"MEETING#{meeting}"


def roster_sk(name: str) -> str:
    """A roster entry: under the meeting by participant, under the participant by meeting."""
    return f"{ROSTER_PREFIX}{name}"


def audit_pk(subject: str) -> str:
    """The audit records of a participant (their id) or of another record (its PK)."""
    return f"AUDIT#{subject}"


def audit_sk(day: date, cause: str, seq: int) -> str:
    return f"{day.isoformat()}#{cause}#{seq:03d}"


def wait_flag_item(due_key: str) -> Item:
    """Marks a due item whose wait (for a price) the administrator was told about."""
    return {"PK": f"WAIT#{due_key}", "SK": "ALERT", "type": "wait"}


def wait_flag_key(due_key: str) -> tuple[str, str]:
    item = wait_flag_item(due_key)
    return item["PK"], item["SK"]


def pool_key(plan: PlanCode) -> tuple[str, str]:
    return POOL, plan.value


# --- the outbox: a notice to send, and its body once sent ------------------------------

NOTICE_SK = "NOTICE"


def notice_key(notice_id: str) -> tuple[str, str]:
    return f"OUTBOX#{notice_id}", NOTICE_SK


def notice_body_item(notice_id: str, raw: bytes, expires_at: int, expiry_attribute: str) -> Item:
    """A sent notice's raw MIME body, dropped by DynamoDB's time-to-live at `expires_at`
    (epoch seconds, in `expiry_attribute`): once sent, the email's text need not be kept."""
    return {
        "PK": notice_key(notice_id)[0],
        "SK": "BODY",
        "type": "notice-body",
        "notice_id": notice_id,
        "raw": raw,
        expiry_attribute: expires_at,
    }


# --- feed files: one record per uploaded object, its applied and rejected rows ----------

FILE_SK = "FILE"
FEED_ROW_PREFIX = "ROW#"


def feed_file_key(file_pk: str) -> tuple[str, str]:
    return file_pk, FILE_SK


def feed_row_key(file_pk: str, row: int) -> tuple[str, str]:
    """The marker of a row the object applied (a redelivery skips it)."""
    return file_pk, f"{FEED_ROW_PREFIX}{row:06d}"


def feed_row_item(file_pk: str, row: int) -> Item:
    pk, sk = feed_row_key(file_pk, row)
    return {"PK": pk, "SK": sk, "type": "feed_row"}


def feed_row_number(item: Item) -> int:
    return int(str(item["SK"]).removeprefix(FEED_ROW_PREFIX))


def rejection_key(file_pk: str, row: int | None) -> tuple[str, str]:
    """A rejected row of a file (or, without a row, the file refused whole)."""
    return file_pk, "REJECTED" if row is None else f"REJECTED#{row:06d}"


# The feed of a file whose key names no kind (an unknown folder, an over-long key).
UNKNOWN_FEED = "unknown"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected row, or a file refused whole (`row` None): the one shape every
    rejection is stored in and read back through (the rejections report, the monthly
    report, a fanned-out file's summary)."""

    feed: str  # the kind, or UNKNOWN_FEED
    key: str
    row: int | None
    reason: str
    record: dict[str, str]
    day: date  # the upload day

    def item(self, file_pk: str, listed_key: str) -> Item:
        """The stored item; `listed_key` is the key as the index sorts it (cut short
        when too long to build keys from)."""
        pk, sk = rejection_key(file_pk, self.row)
        where = "file" if self.row is None else f"{self.row:06d}"
        kind: Item = (
            {"type": "feed_rejection"}
            if self.row is None
            else {"type": "feed_row", "status": "rejected"}
        )
        return {
            "PK": pk,
            "SK": sk,
            **kind,
            "GSI1PK": REJECTIONS,
            "GSI1SK": f"{self.day.isoformat()}#{listed_key}#{where}",
            "feed": self.feed,
            "key": self.key,
            "row": self.row,
            "record": dict(self.record),
            "reason": self.reason,
        }

    @classmethod
    def from_item(cls, item: Item) -> Rejection:
        """Read back; a record stored before every rejection named its feed is `unknown`."""
        return cls(
            feed=str(item.get("feed") or UNKNOWN_FEED),
            key=str(item["key"]),
            row=None if item.get("row") is None else int(item["row"]),
            reason=str(item["reason"]),
            record={str(k): str(v) for k, v in dict(item.get("record") or {}).items()},
            day=date.fromisoformat(str(item["GSI1SK"])[:10]),
        )


def _d(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# --- participants ---------------------------------------------------------------------


def participant_item(p: Participant, existing: Item | None = None) -> Item:
    item: Item = dict(existing or {})
    item.update(
        PK=participant_pk(p.participant_id),
        SK=PROFILE_SK,
        type="participant",
        participant_id=p.participant_id,
        name=p.name,
        email=p.email,
        role=p.role.value,
        personal_email=p.personal_email,
        estate_email=p.estate_email,
        ten_percent_holder=p.ten_percent_holder,
    )
    return {k: v for k, v in item.items() if v is not None}


# On the profile: the sort keys of the person's awards and deferred stock, kept in every
# transaction that adds one (ledger.Change), so a batch of rows reads its people with
# BatchGetItem instead of a Query each (issue 13). A profile without it (stored before)
# is read with a Query.
HOLDINGS = "holdings"


def holds(sk: str) -> bool:
    """The records a profile's holdings list: awards and deferred stock."""
    return sk.startswith((AWARD_PREFIX, DEFERRED_PREFIX))


def holdings_dropped(pk: str) -> Update:
    """The profile's holdings list removed (its readers then Query the partition): for
    a transaction that adds a holding without writing the profile, so the list is never
    short. Conditional on the profile existing: an update would otherwise create one."""
    return Update(pk, PROFILE_SK, f"REMOVE {HOLDINGS}", condition="attribute_exists(PK)")


def holding_keys(profile: Item) -> list[tuple[str, str]] | None:
    """The keys of what the person holds, or None when the profile does not list them."""
    held = profile.get(HOLDINGS)
    return None if held is None else [(profile["PK"], str(sk)) for sk in held]


def participant_from(item: Item) -> Participant:
    return Participant(
        participant_id=item["participant_id"],
        name=item["name"],
        email=item["email"],
        role=Role(item["role"]),
        personal_email=item.get("personal_email"),
        estate_email=item.get("estate_email"),
        ten_percent_holder=bool(item.get("ten_percent_holder", False)),
    )


def termination_from(item: Item, field: str = "termination") -> Termination | None:
    raw = item.get(field)
    if not raw:
        return None
    return Termination(
        item["participant_id"],
        date.fromisoformat(raw["date"]),
        TerminationReason(raw["reason"]),
        Service(raw["service"]) if raw.get("service") else None,
    )


def termination_value(t: Termination) -> Item:
    value: Item = {"date": t.termination_date.isoformat(), "reason": t.reason.value}
    if t.service is not None:
        value["service"] = t.service.value
    return value


# On the profile: the person's roles over time, [[since or "", role], ...] oldest first
# ("" = from the start), and the relationships that ended while another went on
# ({service: termination value}), (docs/plan-rules.md "Facts in time").
ROLES = "roles"
SERVICE_ENDS = "service_ends"


def role_history_from(item: Item) -> RoleHistory:
    raw = item.get(ROLES)
    if not raw:
        return RoleHistory.of(Role(str(item["role"])))
    return RoleHistory(
        tuple(
            (date.fromisoformat(str(since)) if since else None, Role(str(role)))
            for since, role in raw
        )
    )


def role_history_value(history: RoleHistory) -> list[list[str]]:
    return [
        ["" if since is None else since.isoformat(), role.value] for since, role in history.spans
    ]


def service_ends_from(item: Item) -> dict[Service, Termination]:
    """The relationships that ended while another went on, by service."""
    ends: dict[Service, Termination] = {}
    for service, raw in dict(item.get(SERVICE_ENDS) or {}).items():
        ends[Service(service)] = Termination(
            item["participant_id"],
            date.fromisoformat(raw["date"]),
            TerminationReason(raw["reason"]),
            Service(service),
        )
    return ends


# --- awards ---------------------------------------------------------------------------


def award_item(a: Award, version: int) -> Item:
    item: Item = {
        "PK": participant_pk(a.participant_id),
        "SK": award_sk(a.award_id),
        "type": "award",
        "version": version,
        "award_id": a.award_id,
        "participant_id": a.participant_id,
        "plan": a.plan.value,
        "award_type": a.award_type.value,
        "grant_date": a.grant_date.isoformat(),
        "shares_granted": a.shares_granted,
        "exercise_price": None if a.exercise_price is None else str(a.exercise_price),
        "final_exercise_date": _d(a.final_exercise_date),
        "tranches": [[t.vest_date.isoformat(), t.shares] for t in a.tranches],
        "shares_exercised": a.shares_exercised,
        "shares_withheld": a.shares_withheld,
        "shares_tendered": a.shares_tendered,
        "shares_forfeited": a.shares_forfeited,
        "shares_expired": a.shares_expired,
        "exercise_deadline": _d(a.exercise_deadline),
        "service_ended_on": _d(a.service_ended_on),
        "accelerated_on": _d(a.accelerated_on),
        "reminders_sent": sorted(a.reminders_sent),
        "fmv_on_grant": None if a.fmv_on_grant is None else str(a.fmv_on_grant),
        "shares_iso_exercised": a.shares_iso_exercised,
        "performance_criteria": a.performance_criteria,
    }
    if a.is_outstanding:
        item["GSI1PK"] = OPEN_AWARDS
        item["GSI1SK"] = a.award_id
    return item


def award_from(item: Item) -> Award:
    return Award(
        award_id=item["award_id"],
        participant_id=item["participant_id"],
        plan=PlanCode(item["plan"]),
        award_type=AwardType(item["award_type"]),
        grant_date=date.fromisoformat(item["grant_date"]),
        shares_granted=int(item["shares_granted"]),
        exercise_price=_dec(item.get("exercise_price")),
        final_exercise_date=_date(item.get("final_exercise_date")),
        tranches=tuple(Tranche(date.fromisoformat(d), int(n)) for d, n in item.get("tranches", [])),
        shares_exercised=int(item.get("shares_exercised", 0)),
        shares_withheld=int(item.get("shares_withheld", 0)),
        shares_tendered=int(item.get("shares_tendered", 0)),
        shares_forfeited=int(item.get("shares_forfeited", 0)),
        shares_expired=int(item.get("shares_expired", 0)),
        exercise_deadline=_date(item.get("exercise_deadline")),
        service_ended_on=_date(item.get("service_ended_on")),
        accelerated_on=_date(item.get("accelerated_on")),
        reminders_sent=frozenset(item.get("reminders_sent", [])),
        fmv_on_grant=_dec(item.get("fmv_on_grant")),
        shares_iso_exercised=int(item.get("shares_iso_exercised", 0)),
        performance_criteria=item.get("performance_criteria"),
    )


def award_owner_item(a: Award) -> Item:
    pk, sk = award_owner_key(a.award_id)
    return {"PK": pk, "SK": sk, "participant_id": a.participant_id}


# --- deferred stock -------------------------------------------------------------------


DEFERRED_PREFIX = "DEFERRED#"


def deferred_sk(fee_type: FeeType, fee_date: date) -> str:
    return f"{DEFERRED_PREFIX}{fee_type.value}#{fee_date.isoformat()}"


def deferred_item(d: DeferredStockAward, version: int) -> Item:
    item: Item = {
        "PK": participant_pk(d.participant_id),
        "SK": deferred_sk(d.fee_type, d.fee_date),
        "type": "deferred",
        "version": version,
        "participant_id": d.participant_id,
        "fee_type": d.fee_type.value,
        "fee_date": d.fee_date.isoformat(),
        "amount": str(d.amount),
        "fair_market_value": str(d.fair_market_value),
        "award_date": d.award_date.isoformat(),
        "shares": d.shares,
        "cash_in_lieu": str(d.cash_in_lieu),
        "issue_date": d.issue_date.isoformat(),
        "status": d.status.value,
    }
    if d.price_day is not None:
        item["price_day"] = d.price_day.isoformat()
    if d.status is DeferredStatus.PENDING:
        item["GSI1PK"] = OPEN_DEFERRED
        item["GSI1SK"] = d.key
    return item


def deferred_from(item: Item) -> DeferredStockAward:
    return DeferredStockAward(
        participant_id=item["participant_id"],
        fee_type=FeeType(item["fee_type"]),
        fee_date=date.fromisoformat(item["fee_date"]),
        amount=Decimal(item["amount"]),
        fair_market_value=Decimal(item["fair_market_value"]),
        award_date=date.fromisoformat(item["award_date"]),
        shares=int(item["shares"]),
        cash_in_lieu=Decimal(item["cash_in_lieu"]),
        issue_date=date.fromisoformat(item["issue_date"]),
        status=DeferredStatus(item["status"]),
        price_day=date.fromisoformat(item["price_day"]) if item.get("price_day") else None,
    )


def fee_sk(fee_type: FeeType, fee_date: date) -> str:
    return f"FEE#{fee_type.value}#{fee_date.isoformat()}"


def election_item(e: Election) -> Item:
    return {
        "PK": participant_pk(e.participant_id),
        "SK": f"ELECTION#{e.notice_date.isoformat()}#{e.action.value}",
        "type": "election",
        "participant_id": e.participant_id,
        "notice_date": e.notice_date.isoformat(),
        "action": e.action.value,
    }


def election_from(item: Item) -> Election:
    return Election(
        item["participant_id"],
        date.fromisoformat(item["notice_date"]),
        ElectionAction(item["action"]),
    )


# --- prices, pools, corporate actions ---------------------------------------------------


def price_item(bar: PriceBar) -> Item:
    return {
        "PK": PRICES,
        "SK": bar.day.isoformat(),
        "type": "price",
        "last_sale": None if bar.last_sale is None else str(bar.last_sale),
        "high_bid": None if bar.high_bid is None else str(bar.high_bid),
        "low_ask": None if bar.low_ask is None else str(bar.low_ask),
    }


def price_from(item: Item) -> PriceBar:
    return PriceBar(
        date.fromisoformat(item["SK"]),
        _dec(item.get("last_sale")),
        _dec(item.get("high_bid")),
        _dec(item.get("low_ask")),
    )


def plan_action_value(action: PlanAction) -> dict[str, Any]:
    """A fed plan action as its pool's record keeps it (docs/interfaces.md §1e)."""
    return {
        "request_id": action.request_id,
        "action": action.kind.value,
        "plan": action.plan.value,
        "effective_date": action.effective_date.isoformat(),
        "shares": action.shares,
        "approved_on": _d(action.approved_on),
        "note": action.note,
    }


def plan_actions_from(item: Item | None) -> tuple[PlanAction, ...]:
    """The plan actions fed for the pool's plan, as `plan_action_value` wrote them."""
    if not item:
        return ()
    found = []
    for raw in item.get("plan_actions", []):
        shares = raw.get("shares")
        found.append(
            PlanAction(
                request_id=str(raw["request_id"]),
                kind=PlanActionKind(raw["action"]),
                plan=PlanCode(str(raw["plan"])),
                effective_date=date.fromisoformat(raw["effective_date"]),
                shares=None if shares is None else int(shares),
                approved_on=_date(raw.get("approved_on")),
                note=raw.get("note"),
            )
        )
    return tuple(found)


def splits_from(item: Item | None) -> list[Split]:
    if not item:
        return []
    return [Split(date.fromisoformat(d), Decimal(r)) for d, r in item.get("splits", [])]


def corporate_action_item(action: CorporateAction, action_id: str) -> Item:
    return {
        "PK": f"CORP#{action_id}",
        "SK": "ACTION",
        "type": "corporate_action",
        "action_id": action_id,
        "action_date": action.action_date.isoformat(),
        "action": action.kind.value,
        "ratio": None if action.ratio is None else str(action.ratio),
        "assumed": action.assumed,
        "exchange_ratio": None if action.exchange_ratio is None else str(action.exchange_ratio),
        "acquirer": action.acquirer,
    }


def corporate_action_from(item: Item) -> CorporateAction:
    return CorporateAction(
        date.fromisoformat(item["action_date"]),
        CorporateActionKind(item["action"]),
        _dec(item.get("ratio")),
        item.get("assumed"),
        _dec(item.get("exchange_ratio")),
        item.get("acquirer"),
    )


# --- due items --------------------------------------------------------------------------


def due_item(d: DueItem, owner: str) -> Item:
    """`owner` is the PK of the record the effect reads (participant, meeting, action)."""
    return {
        "PK": f"DUE#{d.ref}",
        "SK": f"{d.kind.value}#{d.day.isoformat()}#{d.detail}",
        "type": "due",
        "GSI1PK": DUE,
        "GSI1SK": d.key,
        "day": d.day.isoformat(),
        "kind": d.kind.value,
        "ref": d.ref,
        "detail": d.detail,
        "owner": owner,
    }


# An award's one due item (issue 13): a fixed key, moved to the award's next due day. An
# award stored before it has one item per effect (`due_item`, keyed by the effect).
AWARD_DUE_SK = "NEXT"


def award_due_key(award_id: str) -> tuple[str, str]:
    return f"DUE#{award_id}", AWARD_DUE_SK


def award_due_item(d: DueItem, owner: str) -> Item:
    """The award's one due item, at `d` (its next effect, or a day before it)."""
    return {**due_item(d, owner), "SK": AWARD_DUE_SK}


def is_award_due(item: Item) -> bool:
    return item.get("SK") == AWARD_DUE_SK


def due_value(d: DueItem | None) -> list[str]:
    """Where an award's due item stands, kept on the award item ([]: it has none)."""
    return [] if d is None else [d.day.isoformat(), d.kind.value, d.detail]


def due_from(item: Item) -> DueItem:
    return DueItem(
        date.fromisoformat(item["day"]), DueKind(item["kind"]), item["ref"], item.get("detail", "")
    )


def due_key(d: DueItem) -> tuple[str, str]:
    return f"DUE#{d.ref}", f"{d.kind.value}#{d.day.isoformat()}#{d.detail}"


# --- scheduled facts (docs/plan-rules.md "Facts in time")
# -------------------------------------------

SCHEDULED_SK = "SCHEDULED"


def scheduled_pk(kind: str, key: str) -> str:
    return f"SCHED#{kind}#{key}"


def upcoming_fields(day: date, kind: str, key: str) -> Item:
    """Lists an item among what is ahead (the UPCOMING partition of the DueIndex)."""
    return {"GSI1PK": UPCOMING, "GSI1SK": f"{day.isoformat()}#{kind}#{key}"}


def scheduled_item(
    kind: str,
    key: str,
    day: date,
    values: dict[str, str],
    source_key: str,
    source_row: int,
) -> Item:
    """A fact dated after the day it was applied: its row's values, applied by the
    daily job on `day` as if fed that day."""
    item: Item = {
        "PK": scheduled_pk(kind, key),
        "SK": SCHEDULED_SK,
        "type": "scheduled",
        "kind": kind,
        "key": key,
        "day": day.isoformat(),
        "values": dict(values),
        "source_key": source_key,
        "source_row": source_row,
        **upcoming_fields(day, kind, key),
    }
    if values.get("participant_id"):
        item["participant_id"] = values["participant_id"]
    return item


def scheduled_due(kind: str, key: str, day: date) -> DueItem:
    return DueItem(day, DueKind.SCHEDULED, f"{kind}#{key}")


# --- facts: what each feed row stated, known by its key (docs/interfaces.md §1a) ---------------

FACT_SK = "FACT"
FACT_USED_SK = "USED"


def fact_pk(kind: str, key: str) -> str:
    return f"FACT#{kind}#{key}"


@dataclass(frozen=True, slots=True)
class Fact:
    """The values a key was last applied with, and the upload row they came from."""

    kind: str
    key: str
    values: dict[str, str]
    source_key: str
    source_row: int
    version: int
    # Other values the rules accepted under the same key (a death after a termination).
    variants: tuple[dict[str, str], ...] = ()
    # What used it, for a price: a grant, formula option or deferred stock award.
    used_by: str | None = None
    # The correction that undid it (an exercise voided): its request_id.
    voided_by: str | None = None

    def matches(self, values: dict[str, str]) -> bool:
        # A column added since the fact was stored, left blank, states nothing new.
        given = _stated(values)
        return given == _stated(self.values) or any(given == _stated(v) for v in self.variants)


def _stated(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v != ""}


def fact_item(
    kind: str,
    key: str,
    values: dict[str, str],
    source_key: str,
    source_row: int,
    version: int,
    variants: tuple[dict[str, str], ...] = (),
    voided_by: str | None = None,
) -> Item:
    item: Item = {
        "PK": fact_pk(kind, key),
        "SK": FACT_SK,
        "type": "fact",
        "values": dict(values),
        "source_key": source_key,
        "source_row": source_row,
        "version": version,
    }
    if variants:
        item["variants"] = [dict(v) for v in variants]
    if voided_by is not None:
        item["voided_by"] = voided_by
    return item


def fact_from(kind: str, key: str, items: list[Item]) -> Fact | None:
    """The fact of a key from the items of its partition (the fact and its use)."""
    stored = next((i for i in items if i["SK"] == FACT_SK), None)
    if stored is None:
        return None
    used = next((i for i in items if i["SK"] == FACT_USED_SK), None)
    return Fact(
        kind,
        key,
        {k: str(v) for k, v in stored["values"].items()},
        str(stored["source_key"]),
        int(stored["source_row"]),
        int(stored["version"]),
        tuple({k: str(v) for k, v in variant.items()} for variant in stored.get("variants", [])),
        None if used is None else str(used["used_by"]),
        None if stored.get("voided_by") is None else str(stored["voided_by"]),
    )


def fact_use_item(kind: str, key: str, used_by: str) -> Item:
    """Marks a fact as used (a price that set a Fair Market Value): it may no longer be
    replaced (docs/interfaces.md §1a)."""
    return {"PK": fact_pk(kind, key), "SK": FACT_USED_SK, "type": "fact_use", "used_by": used_by}
