"""Notices: every kind renders subject, text and HTML (docs/plan-rules.md "Notices")."""

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
    Tranche,
)
from stockplan.notices.model import (
    AdminAlert,
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
    TerminationLine,
    TerminationNotice,
)
from stockplan.notices.render import render

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


# G-0042 as the README's example grant: 12,000 shares at 31.125, vesting in two halves.
G0042 = Award(
    award_id="G-0042",
    participant_id="P-17",
    plan=PlanCode.INCENTIVE_1998,
    award_type=AwardType.NSO,
    grant_date=date(1999, 10, 4),
    shares_granted=12000,
    exercise_price=Decimal("31.125"),
    final_exercise_date=date(2009, 10, 4),
    tranches=(Tranche(date(2000, 10, 4), 6000), Tranche(date(2001, 10, 4), 6000)),
    exercise_deadline=date(2009, 10, 4),
)


def grant_notice(name: str = "Ann Lee", award: Award = G0042) -> GrantNotice:
    return GrantNotice.of(award, Participant("P-17", name, "a@x.example", Role.EMPLOYEE))


def exercise_confirmation(name: str = "Ann Lee") -> ExerciseConfirmation:
    # 3,000 shares exercised on 2001-11-01, 500 withheld; the 6,000 of 2001-10-04 and
    # of 2000-10-04 are vested: 12,000 - 3,000 = 9,000 still exercisable.
    after = G0042.evolve(shares_exercised=3000, shares_withheld=500)
    person = Participant("P-17", name, "a@x.example", Role.EMPLOYEE)
    return ExerciseConfirmation.of(after, person, date(2001, 11, 1), 3000, 500, date(2001, 11, 5))


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
    (grant_notice(), "2009-10-04", "1998 §6.a.(1)"),
    (exercise_confirmation(), "2001-11-01", "1998 §6.b.(1)"),
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


@pytest.mark.parametrize(("notice", "day", "section"), EVERY_KIND[:8], ids=IDS[:8])
def test_participant_notices_name_their_plan(notice: Notice, day: str, section: str) -> None:
    plan = DIRECTORS if section.startswith("Directors") else INCENTIVE
    out = render(notice)
    assert plan in out.text and plan in out.html


def test_text_writes_a_deadline_as_iso_with_its_weekday_beside_it() -> None:
    """docs/plan-rules.md "Notices": the text part writes each date as YYYY-MM-DD; a
    deadline has its weekday beside it."""
    text = render(reminder()).text
    assert "Last day to exercise: Friday, 2003-02-28" in text


@pytest.mark.parametrize(
    "notice",
    [
        termination(name=EVIL),
        reminder(EVIL),
        expiry(EVIL),
        formula(EVIL),
        deferred_award(EVIL),
        deferred_issue(EVIL),
        grant_notice(EVIL),
        exercise_confirmation(EVIL),
    ],
    ids=IDS[:8],
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
    assert "$1,500.00" in text and "$40.0625" in text and "$17.6875" in text
    assert "Shares awarded: 37" in text


def test_share_counts_have_thousands_separators() -> None:
    assert "10,000 shares" in render(formula()).subject
    assert "Vested shares: 3,000" in render(termination()).text


def test_termination_notice_lists_each_award_with_vested_price_deadline_forfeited() -> None:
    text = render(termination()).text
    assert "Award G-0042" in text and "Award R-7" in text
    assert "Vested shares: 3,000" in text and "Vested shares: 400" in text
    assert "Last day to exercise: Saturday, 2002-06-15" in text
    assert "Unvested shares forfeited: 6,000 on 2002-03-15" in text
    assert "needs no exercise" in text  # restricted stock has no deadline


def test_termination_subject_names_the_termination_date() -> None:
    assert render(termination()).subject == (
        "Your stock awards after your employment ended on 2002-03-15"
    )


def test_after_death_the_termination_notice_is_addressed_to_the_estate() -> None:
    out = render(termination(reason=TerminationReason.DEATH, deceased=True))
    assert out.text.startswith("To the estate of Ann Lee,")
    assert ">To the estate of Ann Lee,</p>" in out.html
    assert "Dear" not in out.text and "your" not in out.text.split("\n\n")[1].lower()
    assert out.subject == "Stock awards of Ann Lee after death on 2002-03-15"


def test_death_after_earlier_termination_still_addresses_the_estate() -> None:
    out = render(termination(reason=TerminationReason.RETIREMENT, deceased=True))
    assert out.text.startswith("To the estate of Ann Lee,")
    assert "Ann Lee retired" in out.text
    assert out.subject == "Stock awards of Ann Lee after employment ended on 2002-03-15"


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
    assert "it was ended for cause" in text


def test_termination_with_no_awards_says_so() -> None:
    notice = TerminationNotice(
        "P-1", "Ann Lee", date(2002, 3, 15), TerminationReason.OTHER, False, ()
    )
    assert "No stock award was open on that date" in render(notice).text


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, "Reminder: 30 days left to exercise award G-0042 (deadline 2003-02-28)"),
        (7, "Reminder: 7 days left to exercise award G-0042 (deadline 2003-02-28)"),
    ],
)
def test_reminder_subject_names_days_left_award_and_deadline(days: int, expected: str) -> None:
    assert render(reminder(days=days)).subject == expected


def test_expiry_subject_names_shares_award_and_deadline_not_leading_with_the_award() -> None:
    assert (
        render(expiry()).subject
        == "Shares expired: 3,000 shares of award G-0042 not exercised by 2003-02-28"
    )


def test_formula_grant_pro_rated_mentions_directors_8a_and_requested_size() -> None:
    text = render(formula(shares=6666)).text
    assert "Directors §8(a)" in text and "10,000 shares" in text and "6,666 shares" in text


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
    assert out.subject == "Feed file rejected: incoming/prices/p.csv"
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


# --- grant notices and exercise confirmations (docs/plan-rules.md "Notices") -------------------


def test_grant_notice_shows_plan_type_date_shares_price_vesting_and_final_date() -> None:
    out = render(grant_notice())
    assert out.subject == "Your stock option grant of 1999-10-04"
    for part in (out.text, out.html):
        assert INCENTIVE in part and "non-qualified stock option" in part
        assert "1999-10-04" in part and "12,000" in part and "$31.125" in part
        assert "2009-10-04" in part and "1998 §6.a.(1)" in part
    text = out.text
    assert "Grant date: 1999-10-04 (October 4, 1999)" in text
    assert "Shares: 12,000" in text
    assert "Exercise price: $31.125 per share" in text
    assert "Final exercise date: Sunday, 2009-10-04" in text
    assert "  - 2000-10-04 (October 4, 2000): 6,000 shares become exercisable" in text
    assert "  - 2001-10-04 (October 4, 2001): 6,000 shares become exercisable" in text
    assert (
        '><span style="white-space:nowrap;">2000-10-04</span> (October 4, 2000): '
        "6,000 shares become exercisable</li>"
    ) in out.html


def test_grant_notice_of_an_award_vested_at_grant_says_so() -> None:
    vested = G0042.evolve(tranches=())
    text = render(grant_notice(award=vested)).text
    assert "Vesting: in full on the grant date, 1999-10-04" in text
    assert "Vesting schedule" not in text


def test_grant_notice_of_restricted_stock_has_no_price_nor_final_date() -> None:
    restricted = G0042.evolve(
        award_type=AwardType.RESTRICTED_STOCK,
        exercise_price=None,
        final_exercise_date=None,
        exercise_deadline=None,
        tranches=(Tranche(date(2000, 10, 4), 1), Tranche(date(2001, 10, 4), 11999)),
    )
    out = render(grant_notice(award=restricted))
    assert out.subject == "Your restricted stock award of 1999-10-04"
    assert "Exercise price" not in out.text and "Final exercise date" not in out.text
    assert "2000-10-04 (October 4, 2000): 1 share vests" in out.text
    assert "2001-10-04 (October 4, 2001): 11,999 shares vest" in out.text
    assert "needs no exercise" in out.text


@pytest.mark.parametrize(
    ("award_type", "expected"),
    [
        (AwardType.ISO, "Your stock option grant of 1999-10-04"),
        (AwardType.SAR, "Your stock appreciation right grant of 1999-10-04"),
        (AwardType.PERFORMANCE, "Your performance award of 1999-10-04"),
    ],
)
def test_grant_notice_subject_is_short_and_plain(award_type: AwardType, expected: str) -> None:
    assert render(grant_notice(award=G0042.evolve(award_type=award_type))).subject == expected


def test_grant_notice_of_a_directors_discretionary_option_cites_directors_6b() -> None:
    option = G0042.evolve(plan=PlanCode.DIRECTORS_1999, award_type=AwardType.DISCRETIONARY_OPTION)
    out = render(grant_notice(award=option))
    assert DIRECTORS in out.text and "Rule: Directors §6(b)" in out.text
    assert "Directors §6(h), §6(i)" in out.text  # what ends it early


def test_grant_notice_after_a_death_is_addressed_to_the_estate() -> None:
    person = Participant("P-17", "Ann Lee", "a@x.example", Role.EMPLOYEE)
    out = render(GrantNotice.of(G0042, person, deceased=True))
    assert out.text.startswith("To the estate of Ann Lee,")
    assert out.subject == "Ann Lee's stock option grant of 1999-10-04"


def test_exercise_confirmation_shows_shares_withheld_delivered_left_and_deadline() -> None:
    out = render(exercise_confirmation())
    assert out.subject == "Exercise confirmed: 3,000 shares on 2001-11-01"
    text = out.text
    assert "Award: G-0042 (non-qualified stock option)" in text
    assert "Exercise date: 2001-11-01 (November 1, 2001)" in text
    assert "Shares exercised: 3,000" in text
    assert "Shares withheld for the price or taxes: 500" in text
    assert "Shares delivered: 2,500" in text  # 3,000 - 500
    assert "Exercise price: $31.125 per share" in text
    assert "Shares still exercisable: 9,000 on 2001-11-05" in text
    assert "Last day to exercise: Sunday, 2009-10-04" in text
    assert "Rule: 1998 §6.b.(1)" in text
    for figure in ("3,000", "500", "2,500", "$31.125", "9,000", "2009-10-04"):
        assert figure in out.html


def test_exercise_confirmation_delivered_is_exercised_less_withheld() -> None:
    notice = exercise_confirmation()
    assert (notice.shares_exercised, notice.shares_withheld, notice.shares_delivered) == (
        3000,
        500,
        2500,
    )


def test_exercise_confirmation_counts_what_is_left_on_the_later_of_exercise_and_applied_day() -> (
    None
):
    """An exercise dated after the day it is fed counts what is exercisable on its own
    date; one fed after its deadline shows nothing left and the deadline as passed."""
    person = Participant("P-17", "Ann Lee", "a@x.example", Role.EMPLOYEE)
    after = G0042.evolve(shares_exercised=1000)
    # Fed 2000-10-01, dated 2000-10-05: the first 6,000 have vested by then.
    ahead = ExerciseConfirmation.of(after, person, date(2000, 10, 5), 1000, 0, date(2000, 10, 1))
    assert (ahead.exercisable_on, ahead.exercisable_shares) == (date(2000, 10, 5), 5000)
    # Deadline 2002-01-01 after a termination; the exercise of 2001-12-20 fed 2002-01-15.
    ended = after.evolve(exercise_deadline=date(2002, 1, 1), service_ended_on=date(2001, 10, 1))
    late = ExerciseConfirmation.of(ended, person, date(2001, 12, 20), 1000, 0, date(2002, 1, 15))
    assert late.exercisable_shares == 0
    text = render(late).text
    assert "Shares still exercisable: 0 on 2002-01-15" in text
    assert "Last day to exercise: Tuesday, 2002-01-01, passed" in text
    assert "still exercisable can be exercised" not in text


def test_exercise_confirmation_without_withholding_says_nothing_of_it() -> None:
    person = Participant("P-17", "Ann Lee", "a@x.example", Role.EMPLOYEE)
    after = G0042.evolve(shares_exercised=100)
    notice = ExerciseConfirmation.of(after, person, date(2001, 11, 1), 100, 0, date(2001, 11, 1))
    text = render(notice).text
    assert "Shares delivered: 100" in text
    assert "are not delivered" not in text


def test_grant_notice_of_an_award_loaded_after_service_ended_gives_the_deadline_it_left() -> None:
    """A historical award of someone whose service ended on 2000-12-01: the 2000-10-04
    tranche is kept, the 2001 one forfeited, and the window of 1998 §6.a.(5)(B) ends
    2001-03-01, before the final exercise date."""
    ended = G0042.evolve(
        service_ended_on=date(2000, 12, 1),
        shares_forfeited=6000,
        exercise_deadline=date(2001, 3, 1),
    )
    text = render(grant_notice(award=ended)).text
    assert "Service ended: 2000-12-01" in text
    assert "Unvested shares forfeited: 6,000 on 2000-12-01" in text
    assert "Last day to exercise: Thursday, 2001-03-01" in text
    assert "can be exercised until the end of Thursday, 2001-03-01" in text
    assert "If service ends earlier" not in text
