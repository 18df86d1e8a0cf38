"""The plans whole, on the in-memory stack: each test names the section it checks and
fails without its rule (the Company's name, 1998 §4.a last sentence, Directors §4(a) and
§6(f), plan actions under 1998 §9 and Directors §8(f), the joint cut of Directors §8(a),
the 2009 fee of Directors §3, split fractions of deferred stock, and the exchange ratio
of an assumed covered transaction, 1998 §7.a and Directors §6(j))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from memory_world import World

from stockplan.service.report import build_report

PEOPLE = (
    "participant_id,name,email,role\n"
    "E1,Ann Lee,ann.lee@ctc.example.com,employee\n"
    "D1,Dana Fox,dana.fox@board.example.com,director\n"
    "D2,Eli Roe,eli.roe@board.example.com,director\n"
    "D3,Fay Ng,fay.ng@board.example.com,director\n"
)
DAY = date(2002, 3, 15)
DIRECTORS_OPTION = "DO-1,D1,directors-1999,discretionary_option,2002-03-15,10000,10.00,2007-03-15\n"
EXERCISES = "award_id,exercise_date,shares,shares_withheld,shares_tendered,payment\n"


def _rejections(world: World) -> dict[int, str]:
    """Rejected rows of every file, by row number."""
    return {
        int(i["row"]): str(i["reason"])
        for i in world.table.items.values()
        if i.get("status") == "rejected" and "row" in i and "reason" in i
    }


def _pool(world: World, plan: str, as_of: date) -> dict[str, int]:
    pools: dict[str, dict[str, int]] = build_report(world.table, as_of)["pools"]
    return pools[plan]


def _award(world: World, award_id: str, as_of: date) -> dict[str, Any]:
    (award,) = [a for a in build_report(world.table, as_of)["awards"] if a["award_id"] == award_id]
    return dict(award)


def _granted(world: World, rows: str) -> World:
    world.feed("participants", PEOPLE, DAY)
    world.feed("prices", "date,last_sale\n2002-03-14,10.00\n2002-03-15,10.00\n", DAY)
    world.feed(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\n" + rows,
        DAY,
    )
    return world


def test_directors_6f_an_exercise_with_shares_withheld_is_rejected(world: World) -> None:
    """Directors §6(f): the price is paid in cash, shares or a broker's undertaking,
    never by holding shares back; §4(a) returns only shares not exercised."""
    _granted(world, DIRECTORS_OPTION)
    before = _pool(world, "directors-1999", DAY)

    outcome = world.feed("exercises", EXERCISES + "DO-1,2002-03-15,10000,4000,,\n", DAY)

    assert outcome.rejected == 1
    (reason,) = _rejections(world).values()
    assert "Directors §6(f)" in reason
    assert _pool(world, "directors-1999", DAY) == before
    assert _award(world, "DO-1", DAY)["shares_exercised"] == 0


def test_directors_6f_payment_by_withholding_is_rejected(world: World) -> None:
    """Directors §6(f): `withheld` is no way to pay for a directors-1999 option."""
    _granted(world, DIRECTORS_OPTION)

    outcome = world.feed("exercises", EXERCISES + "DO-1,2002-03-15,100,0,0,cash+withheld\n", DAY)

    assert outcome.rejected == 1
    assert "Directors §6(f)" in next(iter(_rejections(world).values()))


def test_directors_4a_delivered_counts_every_share_exercised_tendered_or_not(
    world: World,
) -> None:
    """Directors §4(a): only shares not exercised return; shares tendered to pay
    (§6(f)(ii)) do not reduce what the plan delivered."""
    _granted(world, DIRECTORS_OPTION)

    outcome = world.feed("exercises", EXERCISES + "DO-1,2002-03-15,10000,0,4000,shares\n", DAY)

    assert outcome.accepted == 1
    pool = _pool(world, "directors-1999", DAY)
    assert pool["delivered"] == 10_000
    assert pool["available"] == 200_000 - 10_000


def test_1998_4a_last_sentence_delivery_is_net_of_shares_tendered(world: World) -> None:
    """1998 §4.a: delivered net of shares withheld ((iv)) and of previously owned shares
    tendered for the price or taxes (last sentence)."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")

    outcome = world.feed(
        "exercises", EXERCISES + "G-1,2002-03-15,1000,100,200,shares+withheld\n", DAY
    )

    assert outcome.accepted == 1
    pool = _pool(world, "incentive-1998", DAY)
    assert pool["delivered"] == 1000 - 100 - 200
    assert pool["available"] == 2_250_000 - 700
    assert _award(world, "G-1", DAY)["shares_exercised"] == 1000


def test_1998_4a_withheld_and_tendered_may_not_pass_the_shares_exercised(world: World) -> None:
    """1998 §4.a: delivery net of withheld and tendered shares cannot go below zero."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")

    outcome = world.feed("exercises", EXERCISES + "G-1,2002-03-15,100,60,60,shares+withheld\n", DAY)

    assert outcome.rejected == 1
    assert "1998 §4.a" in next(iter(_rejections(world).values()))


def test_1998_6b3_an_unknown_payment_form_rejects_the_row(world: World) -> None:
    """1998 §6.b.(3): the forms of payment are cash, shares, a broker's undertaking, or
    shares held back; anything else is not read."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")

    outcome = world.feed("exercises", EXERCISES + "G-1,2002-03-15,100,0,0,cheque\n", DAY)

    assert outcome.rejected == 1
    assert "cheque" in next(iter(_rejections(world).values()))


def test_1998_exhibit_a_every_notice_names_the_company_as_the_plans_do(world: World) -> None:
    """1998 Exhibit A "Company": CTC Communications Group, Inc., in the letterhead and
    the sign-off of every notice, taken from the plan data."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")

    (mail,) = [m for m in world.emails() if "Ann" in str(m["To"]) or "ann" in str(m["To"])]
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    for part in (str(text.get_content()), str(html.get_content())):
        assert "CTC Communications Group, Inc." in part
        assert "CTC Communications, Inc." not in part
    assert "CTC Communications Group, Inc. &middot; Stock Plan Administration" in str(
        html.get_content()
    )


# --- plan actions (docs/interfaces.md §1e; 1998 §9, Directors §8(f)) ------------------------

PLAN_ACTIONS = "request_id,action,plan,effective_date,shares,approved_on,note\n"
MEETING = date(2002, 4, 10)
ROSTER = (
    "meeting_date,participant_id,outcome\n"
    "2002-04-10,D1,reelected\n2002-04-10,D2,reelected\n2002-04-10,D3,continuing\n"
)


def _directors_day(world: World) -> World:
    """Three directors on file, Dana elected in 2001 to take her fees in stock, and the
    price of the day before the 2002-04-10 meeting ($20.00)."""
    world.feed("participants", PEOPLE, date(2001, 12, 14))
    world.feed(
        "elections", "participant_id,notice_date,action\nD1,2001-12-14,elect\n", date(2001, 12, 14)
    )
    world.feed("prices", "date,last_sale\n2002-04-09,20.00\n", date(2002, 4, 9))
    return world


def test_1998_9_a_fed_reserve_amendment_holds_from_its_effective_date(world: World) -> None:
    """1998 §9: the plan's reserve is amended by a plan action from its effective date."""
    world.feed("participants", PEOPLE, DAY)

    outcome = world.feed(
        "plan_actions",
        PLAN_ACTIONS + "PA-1,amend_reserve,incentive-1998,2003-01-01,2500000,2002-12-01,vote\n",
        DAY,
    )

    assert outcome.accepted == 1
    assert _pool(world, "incentive-1998", date(2002, 12, 31))["reserved"] == 2_250_000
    assert _pool(world, "incentive-1998", date(2003, 1, 1))["reserved"] == 2_500_000
    audit = [i for i in world.of_type("audit") if i.get("action") == "plan_action"]
    assert [a["change"]["request_id"][1] for a in audit] == ["PA-1"]


def test_directors_8f_a_reserve_amendment_is_in_its_date_shares_a_later_split_restates_it(
    world: World,
) -> None:
    """Directors §8(f), §4(c): a reserve set in the shares of its date; a split after it
    multiplies it like every pool figure."""
    world.feed("participants", PEOPLE, DAY)
    world.feed(
        "plan_actions",
        PLAN_ACTIONS + "PA-1,amend_reserve,directors-1999,2002-03-15,300000,2002-03-15,\n",
        DAY,
    )
    split_day = date(2002, 6, 3)
    world.feed("corporate_actions", "action_date,action,ratio,assumed\n2002-06-03,split,2,\n", DAY)
    world.daily(split_day)

    assert _pool(world, "directors-1999", date(2002, 6, 2))["reserved"] == 300_000
    assert _pool(world, "directors-1999", split_day)["reserved"] == 600_000


def test_1998_9_a_reserve_below_what_is_granted_is_rejected(world: World) -> None:
    """1998 §9: a reserve amended below the shares outstanding and delivered is refused."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")

    outcome = world.feed(
        "plan_actions", PLAN_ACTIONS + "PA-1,amend_reserve,incentive-1998,2002-03-15,999,,\n", DAY
    )

    assert outcome.rejected == 1
    assert "1998 §9" in next(iter(_rejections(world).values()))
    assert _pool(world, "incentive-1998", DAY)["reserved"] == 2_250_000


def test_1998_9_no_grant_on_or_after_the_plan_is_terminated_awards_made_go_on(
    world: World,
) -> None:
    """1998 §9: terminated as to further grants; an award made before goes on."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")
    world.feed(
        "plan_actions", PLAN_ACTIONS + "PA-9,terminate_plan,incentive-1998,2002-04-01,,,\n", DAY
    )
    later = date(2002, 4, 1)

    grant = world.feed(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nG-2,E1,incentive-1998,nso,2002-04-01,10,10.00,2012-04-01\n",
        later,
    )
    exercise = world.feed("exercises", EXERCISES + "G-1,2002-04-01,100,0,0,\n", later)

    assert grant.rejected == 1
    assert "1998 §9" in next(iter(_rejections(world).values()))
    assert exercise.accepted == 1
    assert _award(world, "G-1", later)["shares_exercised"] == 100


def test_directors_8f_no_formula_option_or_deferred_stock_after_termination(
    world: World,
) -> None:
    """Directors §8(f): the Board terminated the plan as to further grants from
    2002-04-01: the 2002-04-10 meeting grants no formula option and Dana's meeting fee
    is paid in cash."""
    _directors_day(world)
    world.feed(
        "plan_actions",
        PLAN_ACTIONS + "PA-9,terminate_plan,directors-1999,2002-04-01,,,Board resolution\n",
        date(2002, 3, 20),
    )
    world.feed("meetings", ROSTER, MEETING)
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-04-10,2000\n", MEETING
    )

    world.daily(MEETING)

    report = build_report(world.table, MEETING)
    assert report["awards"] == []
    assert report["deferred_stock"] == []
    (fee,) = world.of_type("fee")
    assert fee["status"] == "cash"


def test_1e_a_plan_action_is_known_by_its_request_id(world: World) -> None:
    """A plan action fed again is unchanged; the same request_id with other values is
    rejected (the row that set it is named)."""
    world.feed("participants", PEOPLE, DAY)
    row = "PA-1,amend_reserve,incentive-1998,2003-01-01,2500000,,\n"
    world.feed("plan_actions", PLAN_ACTIONS + row, DAY)

    again = world.feed("plan_actions", PLAN_ACTIONS + row, DAY, name="again")
    other = world.feed(
        "plan_actions",
        PLAN_ACTIONS + "PA-1,amend_reserve,incentive-1998,2003-01-01,2600000,,\n",
        DAY,
        name="other",
    )

    assert (again.unchanged, again.accepted) == (1, 0)
    assert other.rejected == 1
    assert _pool(world, "incentive-1998", date(2003, 1, 2))["reserved"] == 2_500_000


# --- Directors §8(a): formula options and deferred stock cut together -----------------------


def _short_pool(world: World) -> World:
    """175,000 of the directors' 200,000 shares granted: 25,000 available."""
    _directors_day(world)
    world.feed(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nDO-1,D1,directors-1999,discretionary_option,2002-04-09,175000,"
        "20.00,2007-04-09\n",
        date(2002, 4, 9),
    )
    assert _pool(world, "directors-1999", date(2002, 4, 9))["available"] == 25_000
    return world


def test_directors_8a_options_and_deferred_stock_due_the_same_day_are_cut_together(
    world: World,
) -> None:
    """Directors §8(a): 25,000 available, three formula options of 10,000 and a $2,000
    meeting fee at $20.00 (100 shares) due on 2002-04-10: f = 25,000 / 30,100; each
    option floor(10,000 f) = 8,305, the deferred stock floor(100 f) = 83 and $340.00 in
    cash; the 2 shares left stay in the pool (before: 8,333 each, 1 share and $1,980)."""
    _short_pool(world)
    world.feed("meetings", ROSTER, MEETING)
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-04-10,2000\n", MEETING
    )

    world.daily(MEETING)

    report = build_report(world.table, MEETING)
    options = {
        a["participant_id"]: a["shares_granted"]
        for a in report["awards"]
        if a["award_type"] == "formula_option"
    }
    assert options == {"D1": 8305, "D2": 8305, "D3": 8305}
    (deferred,) = report["deferred_stock"]
    assert deferred["shares"] == 83
    assert Decimal(deferred["cash_in_lieu"]) == Decimal("340.00")
    assert report["pools"]["directors-1999"]["available"] == 2


# --- Directors §3: the 2009 annual fee ------------------------------------------------------


def test_directors_3_the_2009_annual_fee_is_deferred_only_up_to_2009_03_31(world: World) -> None:
    """Directors §3: no deferred stock for services after 2009-03-31. The 2009 annual
    fee of $36,500 at $10.00 (2009-01-02) is deferred for 36,500 x 90 / 365 = $9,000.00:
    900 shares; the report keeps the whole amount and $27,500.00 is paid in cash."""
    world.feed("participants", PEOPLE, date(2008, 6, 2))
    world.feed(
        "elections", "participant_id,notice_date,action\nD1,2008-06-02,elect\n", date(2008, 6, 2)
    )
    first = date(2009, 1, 2)
    world.feed("prices", "date,last_sale\n2009-01-02,10.00\n", first)
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,annual,2009-01-02,36500\n", first
    )

    world.daily(first)

    (deferred,) = build_report(world.table, first)["deferred_stock"]
    assert deferred["shares"] == 900
    assert Decimal(deferred["amount"]) == Decimal("36500")
    assert Decimal(deferred["cash_in_lieu"]) == Decimal("27500.00")


# --- splits and deferred stock (Directors §4(b), §4(c), §7(a)) -----------------------------


def test_directors_4b_a_split_pays_the_lost_fraction_of_pending_deferred_stock_in_cash(
    world: World,
) -> None:
    """Directors §4(b), §4(c): Dana's $1,500 meeting fee at $40.00 became 37 shares and
    $20.00; a 1.5 split makes 55.5 -> 55 shares, and the half share is paid in cash at
    issue: 0.5 x 40.00 / 1.5 = $13.33, so $33.33 in all."""
    world.feed("participants", PEOPLE, date(2001, 12, 14))
    world.feed(
        "elections", "participant_id,notice_date,action\nD1,2001-12-14,elect\n", date(2001, 12, 14)
    )
    world.feed("prices", "date,last_sale\n2002-04-09,40.00\n", date(2002, 4, 9))
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-04-10,1500\n", MEETING
    )
    world.daily(MEETING)
    world.feed(
        "corporate_actions", "action_date,action,ratio,assumed\n2002-06-03,split,1.5,\n", MEETING
    )

    world.daily(date(2002, 6, 3))

    (deferred,) = build_report(world.table, date(2002, 6, 3))["deferred_stock"]
    assert deferred["shares"] == 55
    assert Decimal(deferred["cash_in_lieu"]) == Decimal("33.33")
    assert Decimal(deferred["fair_market_value"]) == Decimal("40.00")


# --- 1998 §7.a, Directors §6(j): an assumed covered transaction's exchange ratio -----------


def test_1998_7a_directors_6j_an_assumed_transaction_restates_by_its_exchange_ratio(
    world: World,
) -> None:
    """1998 §7.a, Directors §6(j): assumed by Acme Telecom at 1.5 acquirer shares per
    share: Dana's pending 37 deferred shares are issued on the day first (§7(b)(ii)), then
    every award and pool figure is restated as a 1.5 split: G-1 1,000 at $10.00 becomes
    1,500 at $6.666667; the directors' reserve 300,000 and its 37 delivered 55."""
    world.feed("participants", PEOPLE, date(2001, 12, 14))
    world.feed(
        "elections", "participant_id,notice_date,action\nD1,2001-12-14,elect\n", date(2001, 12, 14)
    )
    world.feed("prices", "date,last_sale\n2002-03-15,10.00\n", DAY)
    world.feed("prices", "date,last_sale\n2002-04-09,40.00\n", date(2002, 4, 9))
    world.feed(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nG-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n",
        DAY,
    )
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-04-10,1500\n", MEETING
    )
    world.daily(MEETING)
    day = date(2002, 6, 3)
    world.feed(
        "corporate_actions",
        "action_date,action,ratio,assumed,exchange_ratio,acquirer\n"
        "2002-06-03,covered_transaction,,true,1.5,Acme Telecom\n",
        MEETING,
    )

    world.daily(day)

    report = build_report(world.table, day)
    (award,) = report["awards"]
    assert (award["shares_granted"], Decimal(award["exercise_price"])) == (
        1500,
        Decimal("6.666667"),
    )
    assert award["exercise_deadline"] == "2012-03-15"
    (deferred,) = report["deferred_stock"]
    assert (deferred["shares"], deferred["status"]) == (37, "issued")
    assert report["pools"]["directors-1999"] == {
        "reserved": 300_000,
        "outstanding": 0,
        "delivered": 55,
        "available": 300_000 - 55,
    }
    assert report["pools"]["incentive-1998"]["reserved"] == 3_375_000
    assert report["pools"]["incentive-1998"]["outstanding"] == 1500
    (notice,) = [m for m in world.emails() if "Covered transaction" in str(m["Subject"])][:1]
    body = notice.get_body(("plain",))
    assert body is not None
    assert "Acme Telecom" in str(body.get_content())


def test_1998_4a_the_exercise_confirmation_says_how_the_price_was_paid(world: World) -> None:
    """1998 §4.a last sentence, §6.b.(3): the confirmation names the forms of payment
    and the previously owned shares tendered."""
    _granted(world, "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n")

    world.feed("exercises", EXERCISES + "G-1,2002-03-15,1000,100,200,shares+withheld\n", DAY)

    (mail,) = [m for m in world.emails() if str(m["Subject"]).startswith("Exercise confirmed")]
    body = mail.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert "Paid by: previously owned shares and shares withheld" in text
    assert "Previously owned shares delivered to pay: 200" in text


def test_directors_3_the_2009_fee_notice_says_only_the_part_to_2009_03_31_is_converted(
    world: World,
) -> None:
    """Directors §3: the deferred stock notice of the 2009 annual fee explains the cash."""
    world.feed("participants", PEOPLE, date(2008, 6, 2))
    world.feed(
        "elections", "participant_id,notice_date,action\nD1,2008-06-02,elect\n", date(2008, 6, 2)
    )
    first = date(2009, 1, 2)
    world.feed("prices", "date,last_sale\n2009-01-02,10.00\n", first)
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,annual,2009-01-02,36500\n", first
    )
    world.daily(first)

    (mail,) = [m for m in world.emails() if str(m["Subject"]).startswith("Deferred stock award")]
    body = mail.get_body(("plain",))
    assert body is not None
    text = " ".join(str(body.get_content()).split())
    assert "Paid in cash: $27,500.00" in text
    assert "$9,000.00, is converted into shares" in text and "Directors §3" in text


def test_directors_8a_a_cut_deferred_award_notice_says_the_pool_was_short(world: World) -> None:
    """Directors §8(a): the notice of a deferred stock award cut with the day's formula
    options says so and what the fee would have bought."""
    _short_pool(world)
    world.feed("meetings", ROSTER, MEETING)
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-04-10,2000\n", MEETING
    )
    world.daily(MEETING)

    (mail,) = [m for m in world.emails() if str(m["Subject"]).startswith("Deferred stock award")]
    body = mail.get_body(("plain",))
    assert body is not None
    text = " ".join(str(body.get_content()).split())
    assert "you receive 83 shares of the 100 shares your fee would buy" in text
    assert "Paid in cash: $340.00" in text


def test_1998_9_a_plan_action_dated_ahead_is_listed_as_upcoming(world: World) -> None:
    """docs/interfaces.md §1d, §1e: a plan action fed before its effective date is listed
    by `stockplan report --upcoming` until that day."""
    from stockplan.service.report import read_state, upcoming

    world.feed("participants", PEOPLE, DAY)
    world.feed(
        "plan_actions",
        PLAN_ACTIONS + "PA-9,terminate_plan,directors-1999,2002-04-01,,,Board resolution\n",
        DAY,
    )

    ahead = upcoming(read_state(world.table), DAY, 30)
    assert [(d["day"], d["what"], d["ref"], d["detail"]) for d in ahead] == [
        ("2002-04-01", "terminate plan", "PA-9", "directors-1999")
    ]
    assert upcoming(read_state(world.table), date(2002, 4, 2), 30) == []


def test_1998_7a_a_grant_corrected_after_an_assumed_transaction_is_restated_again(
    world: World,
) -> None:
    """1998 §7.a with docs/plan-rules.md "Corrections": a correct_grant replays the
    award's history, the exchange ratio of the assumed transaction included: G-1
    corrected to 1,200 shares at $10.00 holds 1,800 at $6.666667 after the 1.5 exchange."""
    world.feed("participants", PEOPLE, DAY)
    world.feed("prices", "date,last_sale\n2002-03-15,10.00\n", DAY)
    world.feed(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nG-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15\n",
        DAY,
    )
    day = date(2002, 6, 3)
    world.feed(
        "corporate_actions",
        "action_date,action,ratio,assumed,exchange_ratio,acquirer\n"
        "2002-06-03,covered_transaction,,true,1.5,Acme Telecom\n",
        DAY,
    )
    world.daily(day)

    outcome = world.feed(
        "corrections",
        "request_id,action,award_id,shares,note\nC-1,correct_grant,G-1,1200,HR keyed 1000\n",
        date(2002, 6, 4),
    )

    assert outcome.accepted == 1
    (award,) = build_report(world.table, date(2002, 6, 4))["awards"]
    assert (award["shares_granted"], Decimal(award["exercise_price"])) == (
        1800,
        Decimal("6.666667"),
    )
