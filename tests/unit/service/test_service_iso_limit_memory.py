"""The ISO $100,000 limit (Code §422(d), which 1998 Exhibit A's ISO definition invokes;
docs/plan-rules.md "Other options and awards") through the feeds, corrections, splits,
report.json, the exercise confirmation and the statement, on the in-memory stack."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

from memory_world import MAR15, PEOPLE_CSV, World

from stockplan.service.periodic import statement
from stockplan.service.report import build_report

GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
APR1 = date(2002, 4, 1)


def _awards(world: World, on: date = APR1) -> dict[str, dict[str, Any]]:
    return {a["award_id"]: a for a in build_report(world.table, on)["awards"]}


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _setup(world: World) -> None:
    world.feed("participants", PEOPLE_CSV, MAR15)
    world.feed("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    # I-1: 8,000 at $20 = $160,000, vested at grant: 5,000 ISO, 3,000 NSO.
    # I-2: 1,000 at $20 granted the same day, after I-1 in grant order: all NSO in 2002;
    # N-1 an NSO; R-1 restricted stock.
    world.feed(
        "grants",
        GRANTS
        + "I-1,E1,incentive-1998,iso,2002-03-15,8000,20.00,2012-03-15,\n"
        + "I-2,E1,incentive-1998,iso,2002-03-15,1000,20.00,2012-03-15,\n"
        + "N-1,E1,incentive-1998,nso,2002-03-15,700,20.00,2012-03-15,\n"
        + "R-1,E1,incentive-1998,restricted_stock,2002-03-15,50,,,\n",
        MAR15,
    )


def test_code_422d_report_json_shows_iso_and_nso_shares_of_every_award(world: World) -> None:
    _setup(world)
    awards = _awards(world)
    assert (awards["I-1"]["iso_shares"], awards["I-1"]["nso_shares"]) == (5_000, 3_000)
    assert (awards["I-2"]["iso_shares"], awards["I-2"]["nso_shares"]) == (0, 1_000)
    assert (awards["N-1"]["iso_shares"], awards["N-1"]["nso_shares"]) == (0, 700)
    assert (awards["R-1"]["iso_shares"], awards["R-1"]["nso_shares"]) == (0, 0)


def test_code_422d_exercise_takes_iso_shares_first_and_its_confirmation_says_so(
    world: World,
) -> None:
    _setup(world)
    world.feed("exercises", "award_id,exercise_date,shares\nI-1,2002-03-20,6000\n", APR1)
    confirmation = [m for m in world.emails() if str(m["Subject"]).startswith("Exercise")]
    assert len(confirmation) == 1
    text = " ".join(_text(confirmation[0]).split())
    assert "Exercised as incentive stock options (ISO): 5,000" in text
    assert "Exercised as non-qualified options (over the $100,000 limit): 1,000" in text
    assert "Code §422(d)" in text
    award = next(i for i in world.of_type("award") if i["award_id"] == "I-1")
    assert award["shares_iso_exercised"] == 5_000


def test_code_422d_a_correction_recomputes_the_split(world: World) -> None:
    _setup(world)
    # I-1 corrected to 4,000 shares ($80,000): all ISO, and I-2 now has $20,000 of room.
    world.feed(
        "corrections",
        CORRECTIONS + "C-1,correct_grant,,I-1,,,,,,4000,,,,true,fewer shares\n",
        APR1,
    )
    awards = _awards(world)
    assert (awards["I-1"]["iso_shares"], awards["I-1"]["nso_shares"]) == (4_000, 0)
    assert (awards["I-2"]["iso_shares"], awards["I-2"]["nso_shares"]) == (1_000, 0)


def test_code_422d_a_split_recomputes_the_split_in_restated_shares(world: World) -> None:
    _setup(world)
    world.feed("corporate_actions", "action_date,action,ratio\n2002-04-01,split,2\n", APR1)
    world.daily(APR1)
    awards = _awards(world)
    # 16,000 shares at a restated $10 grant-date value: still $100,000 of ISO.
    assert (awards["I-1"]["iso_shares"], awards["I-1"]["nso_shares"]) == (10_000, 6_000)
    assert (awards["I-2"]["iso_shares"], awards["I-2"]["nso_shares"]) == (0, 2_000)


def test_code_422d_the_statement_shows_iso_and_nso_shares(world: World) -> None:
    _setup(world)
    notice = statement(world.table, "E1", APR1)
    assert notice is not None
    lines = {line.award_id: line for line in notice.awards}
    assert (lines["I-1"].iso_shares, lines["I-1"].nso_shares) == (5_000, 3_000)
    assert (lines["N-1"].iso_shares, lines["N-1"].nso_shares) == (0, 700)
    from stockplan.notices.render import render

    text = " ".join(render(notice).text.split())
    assert "Incentive stock options (ISO): 5,000" in text
    assert "Non-qualified over the $100,000 limit (Code §422(d)): 3,000" in text
