"""One example of every notice kind, from fixed sample data, for people to review
(`stockplan notices --out DIR`) and for the tests that render every kind.

The figures are chosen to show each way a value is written: thousands separators
(90,000), money to the cent ($1,500.00), prices with their exact decimals ($15.0625,
$8.00, $5.60, a split's $6.666667), and dates as YYYY-MM-DD beside a friendlier form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredStockAward,
    FeeType,
    Participant,
    PlanCode,
    Role,
    TerminationReason,
    Tranche,
)
from stockplan.domain.splits import split_award
from stockplan.notices.letterhead import Letterhead
from stockplan.notices.mime import build_mime, notice_id
from stockplan.notices.model import (
    AdminAlert,
    AnnouncedLine,
    AwardFigures,
    ChangedAward,
    CorrectionNotice,
    CoveredDeferredLine,
    CoveredLine,
    CoveredTransactionAnnouncement,
    CoveredTransactionNotice,
    DeferredAwardNotice,
    DeferredIssueNotice,
    ExerciseConfirmation,
    ExpiryNotice,
    FeedRejectionSummary,
    FormulaGrantNotice,
    GrantNotice,
    Notice,
    RejectedRow,
    ReminderNotice,
    SplitDeferredLine,
    SplitLine,
    SplitNotice,
    TerminationLine,
    TerminationNotice,
)
from stockplan.notices.render import render

SENDER = "stock-plans@ctc.example.com"
RECIPIENT = "ann.lee@home.example.com"
ADMIN = "plan-admin@ctc.example.com"
LETTERHEAD = Letterhead(reply_to=ADMIN)

ANN = Participant("E-17", "Ann Lee", "ann.lee@ctc.example.com", Role.EMPLOYEE)
DAN = Participant("D-3", "Dan Dorsey", "dan@dorsey.example.com", Role.DIRECTOR)

# The README's example grant: 90,000 shares at $15.0625, vesting in three tranches.
G_0042 = Award(
    award_id="G-0042",
    participant_id="E-17",
    plan=PlanCode.INCENTIVE_1998,
    award_type=AwardType.NSO,
    grant_date=date(1999, 10, 4),
    shares_granted=90000,
    exercise_price=Decimal("15.0625"),
    final_exercise_date=date(2009, 10, 4),
    tranches=(
        Tranche(date(2000, 10, 4), 30000),
        Tranche(date(2001, 10, 4), 30000),
        Tranche(date(2002, 10, 4), 30000),
    ),
    exercise_deadline=date(2009, 10, 4),
)
# A discretionary option of the Directors plan at $10.00: a 3-for-2 split makes the
# price 10.00 / 1.5 = 6.666667 (rounded up at the 6th decimal, docs/plan-rules.md "Splits").
DO_1 = Award(
    award_id="DO-1",
    participant_id="D-3",
    plan=PlanCode.DIRECTORS_1999,
    award_type=AwardType.DISCRETIONARY_OPTION,
    grant_date=date(2004, 1, 2),
    shares_granted=6000,
    exercise_price=Decimal("10.00"),
    final_exercise_date=date(2014, 1, 2),
    shares_exercised=2000,
    exercise_deadline=date(2014, 1, 2),
)
DEFERRED = DeferredStockAward(
    participant_id="D-3",
    fee_type=FeeType.MEETING,
    fee_date=date(2001, 2, 14),
    amount=Decimal("1500.00"),
    fair_market_value=Decimal("40.0625"),
    award_date=date(2001, 2, 14),
    shares=37,
    cash_in_lieu=Decimal("17.6875"),
    issue_date=date(2004, 1, 2),
    price_day=date(2001, 2, 13),
)


def samples() -> dict[str, Notice]:
    """One notice of each kind, by kind."""
    exercised = G_0042.evolve(shares_exercised=12000, shares_withheld=1500)
    notices: list[Notice] = [
        GrantNotice.of(G_0042, ANN),
        ExerciseConfirmation.of(exercised, ANN, date(2001, 11, 1), 12000, 1500, date(2001, 11, 5)),
        TerminationNotice(
            participant_id="E-17",
            participant_name="Ann Lee",
            termination_date=date(2002, 3, 15),
            reason=TerminationReason.VOLUNTARY,
            deceased=False,
            awards=(
                TerminationLine(
                    "G-0042",
                    PlanCode.INCENTIVE_1998,
                    AwardType.NSO,
                    60000,
                    Decimal("15.0625"),
                    date(2002, 6, 15),
                    30000,
                    "1998 §6.a.(5)(B)",
                ),
                TerminationLine(
                    "R-7",
                    PlanCode.INCENTIVE_1998,
                    AwardType.RESTRICTED_STOCK,
                    1000,
                    None,
                    None,
                    1500,
                    "1998 §6.a.(5)",
                ),
            ),
            role=Role.EMPLOYEE,
        ),
        ReminderNotice(
            participant_id="E-17",
            participant_name="Ann Lee",
            award_id="G-0042",
            plan=PlanCode.INCENTIVE_1998,
            award_type=AwardType.NSO,
            days_left=30,
            deadline=date(2002, 6, 15),
            exercisable_shares=48000,
            exercise_price=Decimal("15.0625"),
            section="1998 §6.a.(5)(B)",
        ),
        ExpiryNotice(
            participant_id="E-17",
            participant_name="Ann Lee",
            award_id="G-0042",
            plan=PlanCode.INCENTIVE_1998,
            award_type=AwardType.NSO,
            deadline=date(2002, 6, 15),
            expired_shares=48000,
            exercise_price=Decimal("15.0625"),
            section="1998 §6.a.(5)(B)",
        ),
        FormulaGrantNotice(
            participant_id="D-3",
            participant_name="Dan Dorsey",
            award_id="FO-2001-06-14-D-3",
            grant_date=date(2001, 6, 14),
            shares=8590,
            exercise_price=Decimal("8"),
            final_exercise_date=date(2006, 6, 14),
            pro_rated=True,
            requested_shares=10000,
            price_day=date(2001, 6, 13),
        ),
        DeferredAwardNotice.of(DEFERRED, DAN),
        DeferredIssueNotice.of(DEFERRED, DAN, date(2004, 1, 2)),
        SplitNotice(
            participant_id="D-3",
            participant_name="Dan Dorsey",
            split_date=date(2005, 4, 15),
            ratio=Decimal("1.5"),
            awards=(SplitLine.of(DO_1, split_award(DO_1, Decimal("1.5"))),),
            deferred=(
                SplitDeferredLine(
                    FeeType.MEETING, date(2005, 2, 14), date(2005, 2, 14), 37, 55, date(2008, 1, 2)
                ),
            ),
        ),
        CoveredTransactionNotice(
            participant_id="D-3",
            participant_name="Dan Dorsey",
            transaction_date=date(2009, 11, 30),
            assumed=False,
            awards=(
                CoveredLine(
                    award_id="DO-1",
                    plan=PlanCode.DIRECTORS_1999,
                    award_type=AwardType.DISCRETIONARY_OPTION,
                    accelerated_shares=2500,
                    vested_shares=5000,
                    exercise_price=Decimal("5.6"),
                    deadline_before=date(2014, 1, 2),
                    deadline_after=date(2009, 11, 30),
                    section="Directors §6(j)",
                ),
            ),
            deferred=(
                CoveredDeferredLine(
                    FeeType.ANNUAL, date(2009, 1, 2), 1702, date(2012, 1, 3), date(2009, 11, 30)
                ),
            ),
        ),
        CoveredTransactionAnnouncement(
            participant_id="D-3",
            participant_name="Dan Dorsey",
            transaction_date=date(2009, 11, 30),
            assumed=False,
            awards=(
                AnnouncedLine(
                    award_id="DO-1",
                    plan=PlanCode.DIRECTORS_1999,
                    award_type=AwardType.DISCRETIONARY_OPTION,
                    shares_outstanding=5000,
                    unvested_shares=2500,
                    exercise_price=Decimal("5.6"),
                    deadline_before=date(2014, 1, 2),
                    deadline_after=date(2009, 11, 30),
                    restated_shares=None,
                    restated_price=None,
                    section="Directors §6(j)",
                ),
            ),
            deferred=(
                CoveredDeferredLine(
                    FeeType.ANNUAL, date(2009, 1, 2), 1702, date(2012, 1, 3), date(2009, 11, 30)
                ),
            ),
        ),
        FeedRejectionSummary(
            feed_kind="grants",
            key="incoming/grants/2002-03-15.csv",
            rows_total=1200,
            rows_accepted=1197,
            rows_rejected=2,
            file_reason=None,
            rejections=(
                RejectedRow(3, "shares must be a whole number: '12,5'"),
                RejectedRow(7, "the grant would take the pool below zero (1998 §4.a)"),
            ),
            errors_key="errors/incoming/grants/2002-03-15.csv.errors.csv",
            rows_unchanged=1,
        ),
        CorrectionNotice(
            participant_id=ANN.participant_id,
            participant_name=ANN.name,
            request_id="REQ-2002-014",
            action="reverse_termination",
            awards=(
                ChangedAward(
                    "G-0042",
                    AwardType.NSO,
                    AwardFigures(
                        90000, 0, 45000, 0, 45000, 45000, Decimal("15.0625"), date(2002, 12, 31)
                    ),
                    AwardFigures(
                        90000, 0, 0, 0, 90000, 45000, Decimal("15.0625"), date(2009, 10, 4)
                    ),
                    PlanCode.INCENTIVE_1998,
                ),
            ),
        ),
        AdminAlert(
            subject_line="Waiting for a price: the 2001-06-14 annual meeting's formula options",
            body_lines=(
                "No closing price exists on or before 2001-06-13 for the 2001-06-14 annual "
                "meeting's formula options.",
                "It stays due and is made with its original date once the price arrives "
                "(Directors §6(c)).",
            ),
        ),
        statement_sample(),
        form_3921_sample(),
        monthly_report_sample(),
    ]
    return {notice.kind: notice for notice in notices}


def statement_sample() -> Notice:
    """Ann's annual statement of 2003: G-0042 two-thirds vested."""
    from stockplan.notices.model import StatementNotice
    from stockplan.service.periodic import statement_line

    day = date(2003, 1, 2)
    line = statement_line(G_0042, day)
    return StatementNotice("E-17", "Ann Lee", day, True, (line,))


def form_3921_sample() -> Notice:
    """Ann's Form 3921 of 2002 (Code §6039): two ISO exercises, the second waiting for
    its closing price."""
    from stockplan.domain.plans import COMPANY_NAME
    from stockplan.notices.model import Form3921Exercise, Form3921Notice

    grant = date(1999, 10, 4)
    return Form3921Notice(
        "E-17",
        "Ann Lee",
        COMPANY_NAME,
        2002,
        (
            Form3921Exercise(
                "G-0043",
                grant,
                date(2002, 6, 3),
                Decimal("31.125"),
                Decimal("42.50"),
                date(2002, 6, 3),
                3000,
            ),
            Form3921Exercise(
                "G-0043", grant, date(2002, 12, 30), Decimal("31.125"), None, None, 1000
            ),
        ),
    )


def monthly_report_document() -> dict[str, Any]:
    """reports/2002-12.json of a sample month: 24 months of pool figures (the first
    three before any report kept them), a deadline, changes of three causes, a rejected
    row and an undelivered notice."""
    from stockplan.domain.periodic import Month, PoolFigures
    from stockplan.service.periodic import report_document

    last = Month(2002, 12)
    kept: dict[Month, dict[str, PoolFigures]] = {}
    for n in range(21):
        month = last.back(n)
        kept[month] = {
            PlanCode.INCENTIVE_1998.value: PoolFigures(
                2250000, 900000 - 15000 * n, 420000 - 12000 * n
            ),
            PlanCode.DIRECTORS_1999.value: PoolFigures(200000, 60000 - 1000 * n, 9000 - 250 * n),
        }
    now = {PlanCode(plan): figures for plan, figures in kept[last].items()}
    deadlines = [
        {
            "day": "2003-01-31",
            "what": "7-day reminder",
            "participant_id": "E-17",
            "name": "Ann Lee",
            "ref": "G-0042",
            "shares": 60000,
            "detail": "reminder of the 2003-02-07 deadline",
        },
    ]
    feed = {"kind": "feed", "key": "incoming/exercises/2002-12-16.csv", "row": 1}
    daily = {"kind": "daily", "rule": "expiry", "section": "1998 §6.a.(5), §6.b"}
    decision = {"kind": "decision", "request_id": "R-7", "action": "extend_exercise_period"}
    changes = [
        {
            "day": "2002-12-16",
            "participant_id": "E-17",
            "award_id": "G-0042",
            "change": {"shares_exercised": [0, 30000]},
            "cause": feed,
        },
        {
            "day": "2002-12-20",
            "participant_id": "D-3",
            "award_id": "DO-1",
            "change": {"shares_expired": [0, 4000], "status": ["outstanding", "expired"]},
            "cause": daily,
        },
        {
            "day": "2002-12-23",
            "participant_id": "E-17",
            "award_id": "G-0042",
            "change": {"exercise_deadline": ["2002-12-31", "2003-02-07"]},
            "cause": decision,
        },
    ]
    rejections = [
        {
            "day": "2002-12-16",
            "feed": "exercises",
            "key": "incoming/exercises/2002-12-16.csv",
            "row": 2,
            "reason": "award G-0099 is not recorded",
        }
    ]
    undelivered = [
        {
            "notice_id": "n-3f2a",
            "kind": "reminder",
            "participant_id": "D-3",
            "send_on": "2002-12-09",
            "delivery": "bounced",
            "detail": "Permanent: General",
            "reported_on": "2002-12-09",
        }
    ]
    names = {"E-17": "Ann Lee", "D-3": "Dan Dorsey"}
    return report_document(
        last, date(2003, 1, 2), now, kept, deadlines, changes, rejections, undelivered, names
    )


def monthly_report_sample() -> Notice:
    from stockplan.service.periodic import report_notice

    files = ("reports/2002-12.html", "reports/2002-12.csv", "reports/2002-12.json")
    return report_notice(monthly_report_document(), files)


def sent_on(notice: Notice) -> date:
    """The day a sample is dated: the latest date it names."""
    days = [
        getattr(notice, name)
        for name in notice.__dataclass_fields__
        if isinstance(getattr(notice, name), date)
    ]
    return max(days, default=date(2002, 3, 15))


def recipient(notice: Notice) -> str:
    """The participant's address (their personal one once service ended), or the
    administrator's."""
    participant = getattr(notice, "participant_id", None)
    if participant is None:
        return ADMIN
    return RECIPIENT if participant == ANN.participant_id else DAN.email


def write_samples(out: Path) -> list[Path]:
    """<kind>.eml, <kind>.html and <kind>.txt for every notice kind, under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, notice in samples().items():
        rendered = render(notice, LETTERHEAD)
        raw = build_mime(
            SENDER,
            recipient(notice),
            rendered,
            sent_on(notice),
            notice_id(kind, "sample"),
            sender_name=LETTERHEAD.sender_name,
            reply_to=LETTERHEAD.reply_to,
        )
        for suffix, data in (
            (".eml", raw),
            (".html", rendered.html.encode("utf-8")),
            (".txt", rendered.text.encode("utf-8")),
        ):
            path = out / f"{kind}{suffix}"
            path.write_bytes(data)
            written.append(path)
    return written
