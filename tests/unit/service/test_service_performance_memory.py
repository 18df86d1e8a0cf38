"""Performance awards (1998 §6.a.(9), §4.d; docs/plan-rules.md "Other options and awards",
"Administrator decisions" `certify_performance`) on the in-memory stack: criteria on the
grant, nothing delivered before certification, certification final, the monthly report
and the statement listing what awaits it."""

from __future__ import annotations

from datetime import date
from typing import Any

from memory_world import MAR15, PEOPLE_CSV, World

from stockplan.service.periodic import awaiting_certification, statement
from stockplan.service.report import build_report

GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting,performance_criteria\n"
)
DECISIONS = "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"
# P-1: 1,000 target shares for Ann, 400 due 2003-03-15, 600 due 2004-03-15.
P1 = (
    "P-1,E1,incentive-1998,performance,2002-03-15,1000,,,"
    '2003-03-15:400;2004-03-15:600,"Revenue above $500 million, fiscal 2002 and 2003"\n'
)


def _awards(world: World, on: date) -> dict[str, dict[str, Any]]:
    return {a["award_id"]: a for a in build_report(world.table, on)["awards"]}


def _rejections(world: World) -> dict[str, str]:
    rows = [i for i in world.of_type("feed_row") if i.get("status") == "rejected"]
    return {
        str(i["record"].get("request_id") or i["record"].get("award_id")): str(i["reason"])
        for i in rows
    }


def _pool(world: World, on: date) -> dict[str, int]:
    pools: dict[str, dict[str, int]] = build_report(world.table, on)["pools"]
    return pools["incentive-1998"]


def _granted(world: World) -> World:
    world.feed("participants", PEOPLE_CSV, MAR15)
    world.feed("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    world.feed("grants", GRANTS + P1, MAR15)
    return world


def test_1998_6a9_a_performance_award_needs_its_criteria(world: World) -> None:
    world.feed("participants", PEOPLE_CSV, MAR15)
    outcome = world.feed(
        "grants",
        GRANTS
        + "P-2,E1,incentive-1998,performance,2002-03-15,100,,,2003-03-15:100,\n"
        + "R-2,E1,incentive-1998,restricted_stock,2002-03-15,100,,,,Some target\n",
        MAR15,
    )
    assert (outcome.accepted, outcome.rejected) == (0, 2)
    reasons = _rejections(world)
    assert "needs its performance_criteria" in reasons["P-2"]
    assert "1998 §6.a.(9)" in reasons["P-2"]
    assert "for performance awards only" in reasons["R-2"]


def test_1998_6a9_nothing_is_delivered_until_certified(world: World) -> None:
    _granted(world)
    day = date(2003, 4, 1)
    world.daily(day)
    award = _awards(world, day)["P-1"]
    assert award["shares_exercised"] == 0
    assert award["shares_certified"] == 0
    assert award["shares_awaiting_certification"] == 400
    assert award["shares_outstanding"] == 1000
    assert _pool(world, day)["delivered"] == 0


def test_1998_6a9_certification_delivers_the_earned_and_forfeits_the_rest(
    world: World,
) -> None:
    _granted(world)
    day = date(2003, 4, 1)
    world.daily(day)
    world.feed("decisions", DECISIONS + "K-1,certify_performance,P-1,2003-04-01,,300,,FY02\n", day)
    award = _awards(world, day)["P-1"]
    assert (award["shares_certified"], award["shares_exercised"]) == (300, 300)
    assert award["shares_forfeited"] == 100
    assert award["shares_awaiting_certification"] == 0
    assert award["shares_outstanding"] == 600
    assert _pool(world, day)["delivered"] == 300
    assert any("performance certified" in s for s in world.subjects())
    # Final: the same tranches cannot be certified again.
    world.feed("decisions", DECISIONS + "K-2,certify_performance,P-1,2003-05-01,,100,,\n", day)
    assert "no tranche of P-1 due by 2003-05-01 awaits certification" in _rejections(world)["K-2"]
    # 0: the second tranche's criteria not attained, forfeited with no substitute award.
    later = date(2004, 4, 1)
    world.daily(later)
    world.feed("decisions", DECISIONS + "K-3,certify_performance,P-1,2004-04-01,,0,,\n", later)
    award = _awards(world, later)["P-1"]
    assert (award["shares_certified"], award["shares_forfeited"]) == (300, 700)
    assert award["status"] == "forfeited"


def test_1998_6a9_at_most_the_target_and_only_performance_awards(granted: World) -> None:
    world = granted  # G-1 is Ann's NSO
    world.feed("grants", GRANTS + P1, MAR15)
    day = date(2003, 4, 1)
    world.feed(
        "decisions",
        DECISIONS
        + "K-1,certify_performance,P-1,2003-04-01,,401,,\n"
        + "K-2,certify_performance,G-1,2003-04-01,,10,,\n"
        + "K-3,certify_performance,P-1,2003-03-01,,10,,\n"
        + "K-4,certify_performance,P-1,2003-04-01,,,,\n",
        day,
    )
    reasons = _rejections(world)
    assert "more than the 400 target shares" in reasons["K-1"]
    assert "only performance awards are certified (1998 §6.a.(9))" in reasons["K-2"]
    assert "no tranche of P-1 due by 2003-03-01" in reasons["K-3"]
    assert "shares: required for certify_performance" in reasons["K-4"]
    assert _awards(world, day)["P-1"]["shares_certified"] == 0


def test_1998_6a5_a_termination_before_certification_forfeits_what_is_not_certified(
    world: World,
) -> None:
    _granted(world)
    day = date(2003, 6, 1)
    world.feed(
        "terminations",
        "participant_id,termination_date,reason\nE1,2003-05-01,voluntary\n",
        day,
    )
    award = _awards(world, day)["P-1"]
    assert (award["shares_forfeited"], award["shares_certified"]) == (1000, 0)
    assert award["shares_awaiting_certification"] == 0
    assert _pool(world, day)["outstanding"] == 0


def test_1998_6a9_uncertified_tranches_in_the_monthly_report_and_the_statement(
    world: World,
) -> None:
    _granted(world)
    day = date(2003, 4, 1)
    world.daily(day)
    open_items = [i for i in world.of_type("award")]
    listed = awaiting_certification(open_items, day)
    assert listed == [
        {
            "day": "2003-03-15",
            "participant_id": "E1",
            "award_id": "P-1",
            "shares": 400,
            "detail": "Revenue above $500 million, fiscal 2002 and 2003",
        }
    ]
    assert awaiting_certification(open_items, date(2003, 3, 14)) == []
    notice = statement(world.table, "E1", day)
    assert notice is not None
    line = notice.awards[0]
    assert (line.shares_awaiting_certification, line.performance_criteria) == (
        400,
        "Revenue above $500 million, fiscal 2002 and 2003",
    )
    from stockplan.notices.render import render

    text = " ".join(render(notice).text.split())
    assert "Awaiting certification: 400" in text


def test_1998_6a9_the_monthly_report_lists_awards_awaiting_certification(world: World) -> None:
    from stockplan.domain.periodic import Month
    from stockplan.service.periodic import gather, report_notice, section_rows

    _granted(world)
    day = date(2003, 4, 1)
    world.daily(day)
    document, _quiet, _kept = gather(world.table, Month.parse("2003-03"), day)
    assert [(a["award_id"], a["shares"], a["participant_name"]) for a in document["awaiting"]] == [
        ("P-1", 400, "Ann Lee")
    ]
    assert section_rows(document)["awaiting"] == document["awaiting"]
    from stockplan.notices.render import render

    text = " ".join(render(report_notice(document)).text.split())
    assert "Performance awards awaiting certification (1998 §6.a.(9))" in text


def test_1998_6a9_the_grant_notice_states_the_criteria_and_that_nothing_comes_uncertified(
    world: World,
) -> None:
    _granted(world)
    (notice,) = [m for m in world.emails() if "performance award" in str(m["Subject"])]
    part = notice.get_body(("plain",))
    assert part is not None
    text = " ".join(str(part.get_content()).split())
    assert "Performance criteria: Revenue above $500 million, fiscal 2002 and 2003." in text
    assert "nothing is delivered until the Committee certifies the shares earned" in text
