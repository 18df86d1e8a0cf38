"""Form 3921 (Code §6039; docs/plan-rules.md "Form 3921", docs/interfaces.md §4) on the
in-memory stack: the January statement to each participant with ISO exercises in the
year before, once, and reports/form-3921-YYYY.csv for the administrator."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from email.message import EmailMessage

from memory_world import MAR15, World

from stockplan.domain.form3921 import fmv_of_day
from stockplan.domain.model import PriceBar

PEOPLE = (
    "participant_id,name,email,role\n"
    "E1,Ann Lee,ann.lee@ctc.example.com,employee\n"
    "E2,Bo Chen,bo.chen@ctc.example.com,employee\n"
)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date\n"
    # 8,000 at $20 ($160,000 in 2002): 5,000 ISO, 3,000 NSO.
    "I-1,E1,incentive-1998,iso,2002-03-15,8000,20.00,2012-03-15\n"
    "N-2,E2,incentive-1998,nso,2002-03-15,500,20.00,2012-03-15\n"
)
PRICES = "date,last_sale\n2002-03-15,20.00\n2002-06-03,24.50\n2002-12-10,30.0625\n"
JAN2 = date(2003, 1, 2)


def _periodic_world() -> World:
    world = World()
    world.settings = world.settings.model_copy(update={"periodic_mail": True})
    return world


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def _forms(world: World) -> list[EmailMessage]:
    return [m for m in world.emails() if str(m["Subject"]).startswith("Form 3921")]


def _exercised(world: World) -> World:
    world.feed("participants", PEOPLE, MAR15)
    world.feed("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    world.feed("grants", GRANTS, MAR15)
    # Prices are fed on or after their day (a price dated ahead is rejected).
    world.feed("prices", PRICES, date(2002, 12, 31))
    # 2002-06-03: 4,000 ISO shares; 2002-12-30: 1,000 ISO + 2,000 NSO, with no Closing
    # Price in the 5 trading days before (the last is 2002-12-10): waiting for it.
    world.feed(
        "exercises",
        "award_id,exercise_date,shares\n"
        "I-1,2002-06-03,4000\n"
        "I-1,2002-12-30,3000\n"
        "N-2,2002-06-03,500\n",
        date(2002, 12, 31),
    )
    return world


def test_code_6039_a_january_statement_per_participant_with_iso_exercises() -> None:
    world = _exercised(_periodic_world())
    world.daily(JAN2)
    forms = _forms(world)
    assert [str(m["To"]) for m in forms] == ["ann.lee@ctc.example.com"]
    message = forms[0]
    assert str(message["Subject"]).startswith("Form 3921 2002")
    assert message.get_body(("html",)) is not None
    text = _text(message)
    assert "CTC Communications Group, Inc." in text
    assert "Ann Lee (E1)" in text
    assert "Date option granted: Friday, March 15, 2002" in text or "2002-03-15" in text
    assert text.count("Exercise of ") == 2
    assert "Exercise price per share: $20.00" in text
    assert "$24.50, the closing price of 2002-06-03" in text
    assert "ISO shares transferred: 4,000" in text
    assert "ISO shares transferred: 1,000" in text
    assert "waiting for the closing price of 2002-12-30" in text
    assert "Code §6039" in text


def test_code_6039_the_administrators_file_lists_every_iso_exercise_of_the_year() -> None:
    world = _exercised(_periodic_world())
    world.daily(JAN2)
    body = world.store.latest("reports/form-3921-2002.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [
        "participant_id",
        "name",
        "award_id",
        "grant_date",
        "exercise_date",
        "exercise_price",
        "fmv_on_exercise_date",
        "iso_shares",
    ]
    assert [tuple(r.values()) for r in rows] == [
        ("E1", "Ann Lee", "I-1", "2002-03-15", "2002-06-03", "20.00", "24.50", "4000"),
        (
            "E1",
            "Ann Lee",
            "I-1",
            "2002-03-15",
            "2002-12-30",
            "20.00",
            "waiting for the closing price of 2002-12-30",
            "1000",
        ),
    ]


def test_code_6039_sent_exactly_once_by_january_31() -> None:
    world = _exercised(_periodic_world())
    # Before the first business day of January nothing goes out.
    world.daily(date(2002, 12, 31))
    assert _forms(world) == []
    world.daily(JAN2)
    world.daily(date(2003, 1, 3))
    world.daily(date(2003, 1, 31))
    assert len(_forms(world)) == 1
    # The next January: no ISO exercise in 2003, no statement.
    world.daily(date(2004, 1, 2))
    assert len(_forms(world)) == 1


def test_code_6039_a_voided_exercise_is_not_on_the_statement() -> None:
    world = _exercised(_periodic_world())
    world.feed(
        "corrections",
        "request_id,action,award_id,exercise_date,shares,note\n"
        "C-1,void_exercise,I-1,2002-12-30,3000,did not happen\n",
        date(2002, 12, 31),
    )
    world.daily(JAN2)
    text = _text(_forms(world)[0])
    assert text.count("Exercise of ") == 1
    assert "waiting" not in text


def test_code_6039_a_stale_closing_price_is_no_fmv() -> None:
    bars = [PriceBar(date(2002, 12, 10), Decimal("30"))]
    # 2002-12-17 is 5 trading days after 2002-12-10; 2002-12-18 is 6.
    assert fmv_of_day(bars, date(2002, 12, 17)) == (date(2002, 12, 10), Decimal("30"))
    assert fmv_of_day(bars, date(2002, 12, 18)) is None
    assert fmv_of_day(bars, date(2002, 12, 9)) is None


def test_code_6039_statements_due_before_go_live_are_history_the_file_is_written() -> None:
    world = _exercised(_periodic_world())
    world.settings = world.settings.model_copy(update={"go_live": date(2003, 2, 1)})
    world.daily(JAN2)
    assert _forms(world) == []
    body = world.store.latest("reports/form-3921-2002.csv").decode("utf-8-sig")
    assert body.count("\r\n") == 3  # the header and the two exercises


def test_code_6039_a_run_stopped_half_way_sends_nothing_twice() -> None:
    world = _exercised(_periodic_world())
    world.daily(JAN2)
    # The year's record lost (a run that stopped before writing it): the next run finds
    # the statement already queued and sent, and sends it no more.
    del world.table.items[("PERIODIC", "FORM3921#2002")]
    from stockplan.data import marker
    from stockplan.service.daily import DailyDeps
    from stockplan.service.form3921 import form_3921

    deps = DailyDeps(world.table, world.settings, world.store)
    own = marker.Own(marker.read(world.table))
    assert form_3921(deps, 2002, date(2003, 1, 3), own) == []
    assert ("PERIODIC", "FORM3921#2002") in world.table.items
    world.send_pending()
    assert len(_forms(world)) == 1


def test_code_6039_every_iso_exercise_voided_leaves_no_statement() -> None:
    world = _exercised(_periodic_world())
    world.feed(
        "corrections",
        "request_id,action,award_id,exercise_date,shares,note\n"
        "C-1,void_exercise,I-1,2002-12-30,3000,did not happen\n"
        "C-2,void_exercise,I-1,2002-06-03,4000,did not happen\n",
        date(2002, 12, 31),
    )
    world.daily(JAN2)
    assert _forms(world) == []
