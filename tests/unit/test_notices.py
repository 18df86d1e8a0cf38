"""Notices: every kind renders subject, text and HTML (rules.md "Notices")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredStockAward,
    FeeType,
    Participant,
    PlanCode,
    Role,
    TerminationReason,
)
from stockplan.notices import (
    AdminAlert,
    DeferredAwardNotice,
    DeferredIssueNotice,
    ExpiryNotice,
    FeedRejectionSummary,
    FormulaGrantNotice,
    Notice,
    RejectedRow,
    ReminderNotice,
    TerminationLine,
    TerminationNotice,
    render,
)

INCENTIVE = "CTC Communications 1998 Incentive Plan"
DIRECTORS = "1999 Equity Incentive Plan for Non-Employee Directors"
EVIL = "Eve <script>alert(1)</script> & Co"
PRICE = Decimal("15.0625")


def termination(
    *,
    name: str = "Ann Lee",
    reason: TerminationReason = TerminationReason.VOLUNTARY,
    deceased: bool = False,
    ended: date = date(2002, 3, 15),
) -> TerminationNotice:
    return TerminationNotice(
        participant_id="P-1",
        participant_name=name,
        termination_date=ended,
        reason=reason,
        deceased=deceased,
        awards=(
            TerminationLine(
                award_id="G-0042",
                plan=PlanCode.INCENTIVE_1998,
                award_type=AwardType.NSO,
                vested_shares=3000,
                exercise_price=PRICE,
                deadline=date(2002, 6, 15),
                forfeited_shares=6000,
                section="1998 §6.a.(5)(B)",
            ),
            TerminationLine(
                award_id="R-7",
                plan=PlanCode.INCENTIVE_1998,
                award_type=AwardType.RESTRICTED_STOCK,
                vested_shares=400,
                exercise_price=None,
                deadline=None,
                forfeited_shares=600,
                section="1998 §6.a.(5)",
            ),
        ),
    )


def reminder(name: str = "Ann Lee", *, days: int = 30, deceased: bool = False) -> ReminderNotice:
    return ReminderNotice(
        participant_id="P-1",
        participant_name=name,
        award_id="G-0042",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        days_left=days,
        deadline=date(2003, 2, 28),
        exercisable_shares=3000,
        exercise_price=PRICE,
        section="1998 §6.a.(5)(B)",
        deceased=deceased,
    )


def expiry(name: str = "Ann Lee") -> ExpiryNotice:
    return ExpiryNotice(
        participant_id="P-1",
        participant_name=name,
        award_id="G-0042",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        deadline=date(2003, 2, 28),
        expired_shares=3000,
        exercise_price=PRICE,
        section="1998 §6.a.(5)(B)",
    )


def formula(name: str = "Dan Director", *, shares: int = 10000) -> FormulaGrantNotice:
    return FormulaGrantNotice(
        participant_id="D-1",
        participant_name=name,
        award_id="F-2001-06-14-D-1",
        grant_date=date(2001, 6, 14),
        shares=shares,
        exercise_price=PRICE,
        final_exercise_date=date(2006, 6, 14),
        pro_rated=shares < 10000,
        requested_shares=10000,
    )


DEFERRED = DeferredStockAward(
    participant_id="D-1",
    fee_type=FeeType.MEETING,
    fee_date=date(2001, 2, 14),
    amount=Decimal("1500.00"),
    fair_market_value=Decimal("40.0625"),
    award_date=date(2001, 2, 14),
    shares=37,
    cash_in_lieu=Decimal("17.6875"),
    issue_date=date(2004, 1, 2),
)
DIRECTOR = Participant("D-1", "Dan Director", "dan@ctc.example", Role.DIRECTOR)


def deferred_award(name: str = "Dan Director") -> DeferredAwardNotice:
    return DeferredAwardNotice.of(DEFERRED, Participant("D-1", name, "d@x.example", Role.DIRECTOR))


def deferred_issue(name: str = "Dan Director") -> DeferredIssueNotice:
    person = Participant("D-1", name, "d@x.example", Role.DIRECTOR)
    return DeferredIssueNotice.of(DEFERRED, person, date(2004, 1, 2))


def feed_summary(reason: str = "shares must be a whole number") -> FeedRejectionSummary:
    return FeedRejectionSummary(
        feed_kind="grants",
        key="incoming/grants/2002-03-15.csv",
        rows_total=10,
        rows_accepted=8,
        rows_rejected=2,
        file_reason=None,
        rejections=(RejectedRow(3, reason), (7, "exceeds the pool (1998 §4.a)")),
        errors_key="errors/incoming/grants/2002-03-15.csv.errors.csv",
    )


def admin_alert(line: str = "formula options waiting (Directors §6(c))") -> AdminAlert:
    return AdminAlert(
        subject_line="No price yet for the 2001-06-14 meeting",
        body_lines=(f"No price yet for the 2001-06-14 meeting: {line}",),
    )


# (notice, a date its text must carry as YYYY-MM-DD, the section it must name)
EVERY_KIND: list[tuple[Notice, str, str]] = [
    (termination(), "2002-06-15", "1998 §6.a.(5)(B)"),
    (reminder(), "2003-02-28", "1998 §6.a.(5)(B)"),
    (expiry(), "2003-02-28", "1998 §6.a.(5)(B)"),
    (formula(), "2006-06-14", "Directors §6(a)"),
    (deferred_award(), "2004-01-02", "Directors §7(a)"),
    (deferred_issue(), "2004-01-02", "Directors §7(b)"),
    (feed_summary(), "2002-03-15", "1998 §4.a"),
    (admin_alert(), "2001-06-14", "Directors §6(c)"),
]
IDS = [type(n).__name__ for n, _, _ in EVERY_KIND]


@pytest.mark.parametrize(("notice", "day", "section"), EVERY_KIND, ids=IDS)
def test_every_notice_kind_renders_subject_text_and_html(
    notice: Notice, day: str, section: str
) -> None:
    out = render(notice)
    assert out.subject and "\n" not in out.subject and len(out.subject) <= 100
    assert day in out.text and section in out.text
    assert out.html.startswith("<!DOCTYPE html>") and day in out.html and section in out.html
    assert "@" not in out.text and "@" not in out.html  # no recipient address in bodies


@pytest.mark.parametrize(("notice", "day", "section"), EVERY_KIND[:6], ids=IDS[:6])
def test_participant_notices_name_their_plan(notice: Notice, day: str, section: str) -> None:
    plan = DIRECTORS if section.startswith("Directors") else INCENTIVE
    out = render(notice)
    assert plan in out.text and plan in out.html


def test_text_writes_dates_as_iso_with_friendly_form_beside_it() -> None:
    text = render(reminder()).text
    assert "2003-02-28 (February 28, 2003)" in text


@pytest.mark.parametrize(
    "notice",
    [
        termination(name=EVIL),
        reminder(EVIL),
        expiry(EVIL),
        formula(EVIL),
        deferred_award(EVIL),
        deferred_issue(EVIL),
    ],
    ids=IDS[:6],
)
def test_html_escapes_participant_names_from_csv(notice: Notice) -> None:
    out = render(notice)
    assert "<script>" not in out.html
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in out.html
    assert EVIL in out.text  # the text part shows the name as written


def test_html_escapes_rejection_reasons_and_feed_keys() -> None:
    notice = feed_summary(reason="bad <script>x</script> value")
    out = render(notice)
    assert "<script>" not in out.html
    assert "Row 3: bad &lt;script&gt;x&lt;/script&gt; value" in out.html


def test_html_escapes_admin_alert_lines() -> None:
    out = render(admin_alert("<img src=x onerror=alert(1)>"))
    assert "<img" not in out.html and "&lt;img src=x onerror=alert(1)&gt;" in out.html


@pytest.mark.parametrize("notice", [reminder(), expiry(), formula(), termination()], ids=str)
def test_money_stays_exact_decimal_15_0625(notice: Notice) -> None:
    out = render(notice)
    assert "$15.0625" in out.text and "$15.0625" in out.html


def test_deferred_award_shows_fee_fmv_and_cash_in_lieu_exactly() -> None:
    text = render(deferred_award()).text
    assert "$1500.00" in text and "$40.0625" in text and "$17.6875" in text
    assert "Shares awarded: 37" in text


def test_share_counts_are_plain_integers() -> None:
    assert "10000 shares" in render(formula()).subject
    assert "Vested shares: 3000" in render(termination()).text


def test_termination_notice_lists_each_award_with_vested_price_deadline_forfeited() -> None:
    text = render(termination()).text
    assert "Award G-0042" in text and "Award R-7" in text
    assert "Vested shares: 3000" in text and "Vested shares: 400" in text
    assert "Last day to exercise: 2002-06-15 (June 15, 2002)" in text
    assert "Unvested shares forfeited: 6000 on 2002-03-15" in text
    assert "needs no exercise" in text  # restricted stock has no deadline


def test_termination_subject_names_the_termination_date() -> None:
    assert render(termination()).subject == (
        "Your stock awards after your termination on 2002-03-15"
    )


def test_after_death_the_termination_notice_is_addressed_to_the_estate() -> None:
    out = render(termination(reason=TerminationReason.DEATH, deceased=True))
    assert out.text.startswith("To the estate of Ann Lee,")
    assert "<p>To the estate of Ann Lee,</p>" in out.html
    assert "Dear" not in out.text and "your" not in out.text.split("\n\n")[1].lower()
    assert out.subject == "Stock awards of Ann Lee after death on 2002-03-15"


def test_death_after_earlier_termination_still_addresses_the_estate() -> None:
    out = render(termination(reason=TerminationReason.RETIREMENT, deceased=True))
    assert out.text.startswith("To the estate of Ann Lee,")
    assert "retirement" in out.text


def test_living_participant_is_greeted_by_name() -> None:
    assert render(termination()).text.startswith("Dear Ann Lee,")


def test_reminder_after_death_goes_to_the_estate() -> None:
    text = render(reminder(deceased=True)).text
    assert text.startswith("To the estate of Ann Lee,") and "Ann Lee's" in text


def test_cause_1998_deadline_before_termination_says_shares_terminated() -> None:
    """1998 §6.a.(5)(C): the deadline is the day before; nothing can be exercised."""
    line = TerminationLine(
        "G-1",
        PlanCode.INCENTIVE_1998,
        AwardType.NSO,
        500,
        PRICE,
        date(2002, 3, 14),
        0,
        "1998 §6.a.(5)(C)",
    )
    notice = TerminationNotice(
        "P-1", "Ann Lee", date(2002, 3, 15), TerminationReason.CAUSE, False, (line,)
    )
    text = render(notice).text
    assert "2002-03-14" in text and "terminated unexercised on 2002-03-15" in text
    assert "termination for cause" in text


def test_termination_with_no_awards_says_so() -> None:
    notice = TerminationNotice(
        "P-1", "Ann Lee", date(2002, 3, 15), TerminationReason.OTHER, False, ()
    )
    assert "No stock awards were outstanding" in render(notice).text


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, "Reminder: 30 days left to exercise award G-0042 (deadline 2003-02-28)"),
        (7, "Reminder: 7 days left to exercise award G-0042 (deadline 2003-02-28)"),
    ],
)
def test_reminder_subject_names_days_left_award_and_deadline(days: int, expected: str) -> None:
    assert render(reminder(days=days)).subject == expected


def test_expiry_subject_names_award_shares_and_deadline() -> None:
    assert (
        render(expiry()).subject
        == "Award G-0042: 3000 shares expired after the 2003-02-28 deadline"
    )


def test_formula_grant_pro_rated_mentions_directors_8a_and_requested_size() -> None:
    text = render(formula(shares=6666)).text
    assert "Directors §8(a)" in text and "10000 shares" in text and "6666 shares" in text


def test_formula_grant_in_full_does_not_mention_pro_rata() -> None:
    assert "§8(a)" not in render(formula()).text


def test_formula_grant_notice_from_award_sets_pro_rated() -> None:
    award = Award(
        award_id="F-1",
        participant_id="D-1",
        plan=PlanCode.DIRECTORS_1999,
        award_type=AwardType.FORMULA_OPTION,
        grant_date=date(2001, 6, 14),
        shares_granted=5000,
        exercise_price=PRICE,
        final_exercise_date=date(2006, 6, 14),
    )
    notice = FormulaGrantNotice.of(award, DIRECTOR, requested_shares=10000)
    assert notice.pro_rated and notice.shares == 5000 and notice.exercise_price == PRICE


def test_formula_grant_notice_needs_price_and_final_date() -> None:
    award = Award("F-1", "D-1", PlanCode.DIRECTORS_1999, AwardType.FORMULA_OPTION,
                  date(2001, 6, 14), 10000)  # fmt: skip
    with pytest.raises(ValueError, match="F-1"):
        FormulaGrantNotice.of(award, DIRECTOR, requested_shares=10000)


def test_deferred_issue_names_issue_day_and_section_7b() -> None:
    out = render(deferred_issue())
    assert out.subject == "Deferred stock issued: 37 shares on 2004-01-02"
    assert "Issued on: 2004-01-02 (January 2, 2004)" in out.text


def test_feed_summary_lists_each_rejected_row_and_the_errors_file() -> None:
    out = render(feed_summary())
    assert out.subject == ("Feed grants: 2 of 10 rows rejected (incoming/grants/2002-03-15.csv)")
    assert "Row 3: shares must be a whole number" in out.text
    assert "Row 7: exceeds the pool (1998 §4.a)" in out.text
    assert "errors/incoming/grants/2002-03-15.csv.errors.csv" in out.text


def test_feed_summary_for_a_rejected_file_gives_the_file_reason() -> None:
    notice = FeedRejectionSummary(
        "prices", "incoming/prices/p.csv", 0, 0, 0, "missing required column: date",
        ((None, "missing required column: date"),), None,
    )  # fmt: skip
    out = render(notice)
    assert out.subject == "Feed file rejected: prices incoming/prices/p.csv"
    assert "missing required column: date" in out.text and "Whole file:" in out.text


def test_feed_summary_caps_the_listed_rows_and_points_to_the_errors_file() -> None:
    rows = tuple(RejectedRow(i, "bad") for i in range(1, 1001))
    notice = FeedRejectionSummary("fees", "incoming/fees/f.csv", 1000, 0, 1000, None, rows, "e")
    text = render(notice).text
    assert "Row 200: bad" in text and "Row 201: bad" not in text and "800 more" in text


def test_subject_folds_line_breaks_from_csv_values() -> None:
    out = render(AdminAlert("two\r\nlines", ("x",)))
    assert out.subject == "two lines"


def test_render_refuses_what_is_not_a_notice() -> None:
    with pytest.raises(TypeError):
        render("hello")  # type: ignore[arg-type]


def test_rendering_is_deterministic() -> None:
    assert render(termination()) == render(termination())


def test_money_must_be_decimal_not_float() -> None:
    bad = replace(reminder(), exercise_price=15.0625)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        render(bad)
