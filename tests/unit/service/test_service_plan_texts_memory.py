"""The plans whole, on the in-memory stack: each test names the section it checks and
fails without its rule (the Company's name, 1998 §4.a last sentence, Directors §4(a) and
§6(f), plan actions under 1998 §9 and Directors §8(f), the joint cut of Directors §8(a),
the 2009 fee of Directors §3, split fractions of deferred stock, and the exchange ratio
of an assumed covered transaction, 1998 §7.a and Directors §6(j))."""

from __future__ import annotations

from datetime import date
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
