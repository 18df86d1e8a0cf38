"""Notices as .eml bytes (docs/interfaces.md §3) and deterministic notice ids."""

from __future__ import annotations

import email
import email.policy
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockplan.domain.model import AwardType, PlanCode
from stockplan.notices.mime import (
    build_mime,
    email_package_mime,
    envelope,
    notice_id,
    plain_mime,
    send_time,
)
from stockplan.notices.model import AdminAlert, ExpiryNotice
from stockplan.notices.render import RenderedNotice, render

SENDER = "CTC Stock Plan <stockplan@ctc.example>"
RECIPIENT = "ann.lee@home.example"
SENDER_ADDRESS = "stockplan@ctc.example"
DAY = date(2003, 3, 1)


def rendered(name: str = "Ann Lee") -> RenderedNotice:
    return render(
        ExpiryNotice(
            participant_id="P-1",
            participant_name=name,
            award_id="G-0042",
            plan=PlanCode.INCENTIVE_1998,
            award_type=AwardType.NSO,
            deadline=date(2003, 2, 28),
            expired_shares=3000,
            exercise_price=Decimal("15.0625"),
            section="1998 §6.a.(5)(B)",
        )
    )


NID = notice_id("expiry", "G-0042", "2003-02-28")


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in msg.iter_parts():
        assert isinstance(part, EmailMessage)
        out[part.get_content_type()] = part.get_content().replace("\r\n", "\n")
    return out


def test_eml_has_from_to_subject_date_and_message_id() -> None:
    msg = parse(build_mime(SENDER, RECIPIENT, rendered(), DAY, NID))
    assert msg["From"] == SENDER
    assert msg["To"] == RECIPIENT
    assert msg["Subject"] == rendered().subject
    assert msg["Message-ID"] == f"<{NID}@stockplan.local>"
    assert msg["Date"] is not None


def test_eml_date_is_the_simulated_day_at_nine_new_york_time() -> None:
    msg = parse(build_mime(SENDER, RECIPIENT, rendered(), DAY, NID))
    sent = parsedate_to_datetime(msg["Date"])
    assert sent.date() == DAY and sent.time() == time(9)
    assert sent.utcoffset() == timedelta(hours=-5)  # March 1: standard time


def test_eml_is_multipart_alternative_text_then_html() -> None:
    msg = parse(build_mime(SENDER, RECIPIENT, rendered(), DAY, NID))
    assert msg.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in msg.iter_parts()]
    assert types == ["text/plain", "text/html"]
    body = parts(msg)
    assert body["text/plain"] == rendered().text
    assert body["text/html"] == rendered().html
    assert "2003-02-28" in body["text/plain"] and "$15.0625" in body["text/plain"]


def test_eml_is_byte_identical_when_built_twice() -> None:
    first = build_mime(SENDER, RECIPIENT, rendered(), DAY, NID)
    again = build_mime(SENDER, RECIPIENT, render_again(), DAY, NID)
    assert first == again


def render_again() -> RenderedNotice:
    return rendered()


def test_boundary_comes_from_the_notice_id() -> None:
    other = notice_id("expiry", "G-0043", "2003-02-28")
    a = parse(build_mime(SENDER, RECIPIENT, rendered(), DAY, NID)).get_boundary()
    b = parse(build_mime(SENDER, RECIPIENT, rendered(), DAY, other)).get_boundary()
    assert a and b and a != b


def test_non_ascii_names_travel_7bit_safe_and_decode_back() -> None:
    raw = build_mime(SENDER, RECIPIENT, rendered("José Ñúñez"), DAY, NID)
    assert raw.isascii()
    body = parts(parse(raw))
    assert "José Ñúñez" in body["text/plain"] and "José Ñúñez" in body["text/html"]
    assert "José Ñúñez" in parse(raw)["Subject"] or "§" not in rendered().subject


def test_eml_uses_crlf_line_endings_and_mime_version_once() -> None:
    raw = build_mime(SENDER, RECIPIENT, rendered(), DAY, NID)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.count(b"MIME-Version") == 1


def test_build_mime_refuses_a_malformed_notice_id() -> None:
    with pytest.raises(ValueError, match="notice id"):
        build_mime(SENDER, RECIPIENT, rendered(), DAY, "not an id")


def test_notice_id_is_deterministic_prefixed_and_32_hex() -> None:
    nid = notice_id("reminder", "G-0042", "30", "2003-02-28")
    assert nid == notice_id("reminder", "G-0042", "30", "2003-02-28")
    kind, _, digest = nid.rpartition("-")
    assert kind == "reminder" and len(digest) == 32 and int(digest, 16) >= 0


def test_notice_id_differs_by_kind_and_parts_without_ambiguity() -> None:
    assert notice_id("reminder", "a", "b") != notice_id("reminder", "a|b")
    assert notice_id("reminder", "ab") != notice_id("reminder", "a", "b")
    assert notice_id("expiry", "x") != notice_id("reminder", "x")


def test_notice_id_refuses_a_kind_that_cannot_be_a_message_id() -> None:
    with pytest.raises(ValueError, match="kind"):
        notice_id("Bad Kind", "x")


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2002, 4, 6), -5),  # 1987-2006: DST from the first Sunday of April
        (date(2002, 4, 7), -4),
        (date(2002, 10, 26), -4),  # until the last Sunday of October
        (date(2002, 10, 27), -5),
        (date(2007, 3, 10), -5),  # from 2007: second Sunday of March
        (date(2007, 3, 11), -4),
        (date(2007, 11, 3), -4),  # until the first Sunday of November
        (date(2007, 11, 4), -5),
        (date(1985, 4, 28), -4),  # before 1987: last Sunday of April
    ],
)
def test_new_york_offset_at_nine_follows_us_dst_rules(day: date, hours: int) -> None:
    assert send_time(day).utcoffset() == timedelta(hours=hours)


def test_new_york_offset_matches_the_tz_database_every_day_1998_to_2012() -> None:
    try:
        tz = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:  # pragma: no cover
        pytest.skip("no time zone database here")
    day = date(1998, 1, 1)
    while day <= date(2012, 12, 31):
        expected = datetime.combine(day, time(9), tzinfo=tz).utcoffset()
        assert send_time(day).utcoffset() == expected, day
        day += timedelta(days=1)


def test_short_ascii_text_travels_as_7bit_and_styled_html_as_quoted_printable() -> None:
    # The HTML part's inline styles make lines longer than 78 characters: it travels
    # quoted-printable (SES wants 7-bit safe bodies); the short text part stays 7bit.
    plain = render(AdminAlert("Daily run done", ("Nothing was due.",)))
    raw = build_mime(SENDER, RECIPIENT, plain, DAY, notice_id("admin-alert", "x"))
    assert raw.count(b"Content-Transfer-Encoding: 7bit") == 1
    assert raw.count(b"Content-Transfer-Encoding: quoted-printable") == 1
    assert raw.isascii()
    assert parts(parse(raw)) == {"text/plain": plain.text, "text/html": plain.html}


def test_from_carries_the_configured_display_name_and_reply_to_the_configured_one() -> None:
    raw = build_mime(
        "stock-plans@ctc.example.com",
        RECIPIENT,
        rendered(),
        DAY,
        NID,
        sender_name="CTC Stock Plan Administration",
        reply_to="plan-admin@ctc.example.com",
    )
    assert b"\r\nFrom: CTC Stock Plan Administration <stock-plans@ctc.example.com>\r\n" in (
        b"\r\n" + raw
    )
    msg = parse(raw)
    assert msg["From"].addresses[0].display_name == "CTC Stock Plan Administration"
    assert msg["From"].addresses[0].addr_spec == "stock-plans@ctc.example.com"
    assert msg["Reply-To"] == "plan-admin@ctc.example.com"


def test_a_display_name_with_a_comma_or_accent_is_quoted_or_encoded_never_an_address() -> None:
    raw = build_mime(
        "stock-plans@ctc.example.com",
        RECIPIENT,
        rendered(),
        DAY,
        NID,
        sender_name="Plans, Société CTC",
    )
    assert raw.split(b"\r\n\r\n", 1)[0].isascii()
    (address,) = parse(raw)["From"].addresses
    assert (address.display_name, address.addr_spec) == (
        "Plans, Société CTC",
        "stock-plans@ctc.example.com",
    )


def test_without_a_reply_to_none_is_written() -> None:
    assert b"Reply-To" not in build_mime(SENDER, RECIPIENT, rendered(), DAY, NID)


def test_new_york_time_comes_from_the_tzdata_package_where_the_system_has_no_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """zoneinfo falls back to the layer's tzdata package: a runtime image without
    /usr/share/zoneinfo still dates notices in plan time (docs/plan-rules.md "Plan time zone")."""
    from stockplan import plantime

    zoneinfo.reset_tzpath([])
    plantime.plan_zone.cache_clear()
    try:
        assert send_time(date(2005, 7, 1)).utcoffset() == timedelta(hours=-4)
        assert send_time(date(2005, 12, 1)).utcoffset() == timedelta(hours=-5)
    finally:
        zoneinfo.reset_tzpath()
        plantime.plan_zone.cache_clear()


def test_to_header_is_the_plain_idna_address_of_an_international_domain() -> None:
    # Feeds store `jose@exämple.com` as its IDNA form; the header carries it as it is.
    stored = build_mime(SENDER, "jose@xn--exmple-cua.com", rendered(), DAY, NID)
    assert b"\r\nTo: jose@xn--exmple-cua.com\r\n" in stored
    assert parse(stored)["To"] == "jose@xn--exmple-cua.com"
    # An address stored before the feeds converted it is converted here, never written
    # as an RFC 2047 encoded word (which no mail server reads as an address).
    legacy = build_mime(SENDER, "jose@exämple.com", rendered(), DAY, NID)
    assert b"\r\nTo: jose@xn--exmple-cua.com\r\n" in legacy
    assert b"=?utf-8?" not in legacy.split(b"\r\n\r\n", 1)[0]
    assert legacy.isascii()


# --- the bytes written directly equal the email package's ------------------------------

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400
) | st.sampled_from(["short ascii\n", "x" * 90 + "\nnext", "a\r\nb\rc\x0cd\n\n", "=?utf-8?q?x?="])
_NAMES = st.sampled_from(
    [None, "", "CTC Stock Plan Administration", "Jos\u00e9", "A, B", "A.B"]
) | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
_ADDRESSES = st.sampled_from(
    ["ann.lee@home.example", "stock-plans@ctc.example.com", "jose@ex\u00e4mple.com", "a@b"]
)
# Printable ASCII the direct writer takes (quotes, parentheses, "=?", runs of blanks...).
_ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=200)
_SUBJECTS = (
    _TEXT
    | _ASCII
    | st.sampled_from(
        ["Your stock option grant of 1999-07-01", "Monthly report 1999-07: 12 changes", "(x) y"]
    )
)


@settings(max_examples=300, deadline=None)
@given(
    text=_TEXT,
    html=_TEXT,
    subject=_SUBJECTS,
    sender=_ADDRESSES,
    recipient=_ADDRESSES,
    sender_name=_NAMES,
    reply_to=st.sampled_from([None, "plan-admin@ctc.example.com"]),
)
def test_the_mime_written_directly_is_byte_for_byte_the_email_packages(
    text: str,
    html: str,
    subject: str,
    sender: str,
    recipient: str,
    sender_name: str | None,
    reply_to: str | None,
) -> None:
    notice = RenderedNotice(subject=subject, text=text, html=html)
    headers = envelope(sender, recipient, subject, DAY, NID, sender_name, reply_to)
    expected = email_package_mime(headers, notice)
    direct = plain_mime(headers, notice)
    assert direct is None or direct == expected
    assert build_mime(
        sender, recipient, notice, DAY, NID, sender_name=sender_name, reply_to=reply_to
    ) == (direct or expected)


def test_a_notice_with_plain_headers_is_written_directly_as_the_email_package_would() -> None:
    notice = rendered()
    headers = envelope(SENDER_ADDRESS, RECIPIENT, notice.subject, DAY, NID, "CTC Stock Plan")
    direct = plain_mime(headers, notice)
    assert direct is not None
    assert direct == email_package_mime(headers, notice)
    # An accent in the display name needs an encoded word: the email package writes it.
    accented = envelope(SENDER_ADDRESS, RECIPIENT, notice.subject, DAY, NID, "Jos\u00e9")
    assert plain_mime(accented, notice) is None
