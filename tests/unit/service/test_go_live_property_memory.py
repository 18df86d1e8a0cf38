"""Go-live as a property (docs/plan-rules.md "Facts in time"), on the in-memory stack.

For random histories: loading them with GoLiveDate = G gives the same awards, pools
and deferred stock as loading them without it; no participant notice is about a fact
dated before G; and every notice about a day on or after G (a reminder, an expiry, a
grant, a termination) is sent exactly once, as without go-live.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from memory_world import ADMIN, World

from stockplan.service.report import build_report

PEOPLE = (
    "participant_id,name,email,role,personal_email,estate_email,ten_percent_holder\n"
    "E1,Ann Lee,ann@ctc.example.com,employee,ann@home.example.com,,false\n"
    "E2,Bob Roe,bob@ctc.example.com,employee,,bob.estate@law.example.com,false\n"
    "E3,Cy Dee,cy@ctc.example.com,employee,,,false\n"
)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
FIRST = date(2000, 1, 3)
REASONS = ("voluntary", "other", "retirement", "death", "cause")
DAYS_RUN = 100

days = st.integers(min_value=0, max_value=900).map(lambda n: FIRST + timedelta(days=n))


@st.composite
def histories(draw: st.DrawFn) -> tuple[date, list[tuple[int, str, str]]]:
    """The go-live day and the feed files: (upload day offset from G, kind, body)."""
    go_live = draw(st.integers(min_value=300, max_value=800).map(lambda n: FIRST + timedelta(n)))
    files: list[tuple[int, str, str]] = [(0, "participants", PEOPLE)]
    files.append((0, "prices", "date,last_sale\n1999-12-31,20.00\n"))
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=5))):
        granted = draw(days)
        years = draw(st.integers(min_value=1, max_value=3))
        final = granted + timedelta(days=365 * years)
        vest = granted + timedelta(days=draw(st.integers(min_value=0, max_value=500)))
        person = draw(st.sampled_from(("E1", "E2", "E3")))
        vesting = f"{vest.isoformat()}:100" if vest != granted else ""
        rows.append(
            f"G-{number},{person},incentive-1998,nso,{granted.isoformat()},100,20.00,"
            f"{final.isoformat()},{vesting}\n"
        )
    # Grants dated after the upload day wait for their date; all are loaded on G.
    files.append((0, "grants", GRANTS_HEADER + "".join(rows)))
    for person in draw(st.lists(st.sampled_from(("E1", "E2", "E3")), unique=True, max_size=3)):
        ended = draw(days)
        reason = draw(st.sampled_from(REASONS))
        # Fed on G, or late (up to 40 days after G), whatever its date.
        late = draw(st.integers(min_value=0, max_value=40))
        body = f"participant_id,termination_date,reason\n{person},{ended.isoformat()},{reason}\n"
        files.append((late, "terminations", body))
    return go_live, files


def run(go_live: date, files: list[tuple[int, str, str]], with_go_live: bool) -> World:
    world = World()
    if with_go_live:
        world.settings = world.settings.model_copy(update={"go_live": go_live})
    for offset in range(DAYS_RUN):
        day = go_live + timedelta(days=offset)
        for number, (late, kind, body) in enumerate(files):
            if late == offset:
                world.feed(kind, body, day, name=f"{kind}-{number}")
        world.daily(day)
    return world


ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def fact_day(subject: str) -> date:
    """The day a participant notice is about, from its subject: a reminder's own day
    (the deadline less the days left), an expiry's (the day after the deadline), else
    the fact's date (grant, termination, exercise)."""
    found = [date.fromisoformat(d) for d in ISO.findall(subject)]
    assert len(found) == 1, subject
    if subject.startswith("Reminder:"):
        left = int(re.search(r"(\d+) days? left", subject).group(1))  # type: ignore[union-attr]
        return found[0] - timedelta(days=left)
    if subject.startswith("Shares expired:"):
        return found[0] + timedelta(days=1)
    return found[0]


def participant_notices(world: World) -> list[tuple[str, str]]:
    return sorted(
        (str(m["To"]), str(m["Subject"])) for m in world.emails() if str(m["To"]) != ADMIN
    )


@settings(max_examples=12, deadline=None)
@given(histories())
def test_go_live_gives_the_same_books_and_tells_only_what_is_dated_on_or_after_it(
    history: tuple[date, list[tuple[int, str, str]]],
) -> None:
    """docs/plan-rules.md "Facts in time" (go-live)."""
    go_live, files = history
    without = run(go_live, files, with_go_live=False)
    live = run(go_live, files, with_go_live=True)
    end = go_live + timedelta(days=DAYS_RUN - 1)
    books_without = build_report(without.table, end)
    books_live = build_report(live.table, end)
    for part in ("awards", "deferred_stock", "pools"):
        assert books_live[part] == books_without[part]
    told = participant_notices(live)
    # Nothing about a fact dated before go-live.
    assert all(fact_day(subject) >= go_live for _, subject in told), told
    # Each notice once, and exactly those sent without go-live about a day on or after it.
    assert len(told) == len(set(told))
    expected = [(to, s) for to, s in participant_notices(without) if fact_day(s) >= go_live]
    assert told == expected


def test_go_live_sends_no_monthly_report_or_statement_due_before_it() -> None:
    """docs/plan-rules.md "Facts in time": no statement or monthly report whose day is
    before go-live (2002-04-15): January's statements and the reports of January to
    March are made but not sent; April's, due 2002-05-01, is sent."""
    world = World()
    world.settings = world.settings.model_copy(
        update={"go_live": date(2002, 4, 15), "periodic_mail": True}
    )
    loaded_on = date(2001, 12, 3)
    world.feed("participants", PEOPLE, loaded_on)
    world.feed("prices", "date,last_sale\n2001-12-03,20.00\n", loaded_on)
    grant = "G-1,E1,incentive-1998,nso,2001-12-03,100,20.00,2011-12-03,\n"
    world.feed("grants", GRANTS_HEADER + grant, loaded_on)
    day = loaded_on
    while day <= date(2002, 5, 2):
        world.daily(day)
        day += timedelta(days=1)
    periodic = [s for s in world.subjects() if s.startswith(("Monthly report", "Annual statement"))]
    assert periodic == [s for s in periodic if s.startswith("Monthly report 2002-04")]
    assert len(periodic) == 1
