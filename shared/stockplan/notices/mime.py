"""A rendered notice as the exact RFC 5322 bytes that are sent and stored (interfaces §3).

Deterministic: the same notice, recipient and day always give the same bytes (the
MIME boundary and Message-ID come from the notice id), so a retried send or a
re-rendered .eml is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

from stockplan.notices.formatting import one_line
from stockplan.notices.render import RenderedNotice
from stockplan.plantime import at_hour

MESSAGE_ID_DOMAIN = "stockplan.local"
SEND_HOUR = 9  # 09:00 in the plan time zone (docs/plan-rules.md "Plan time zone")
_KIND = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOTICE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{32}")


def notice_id(kind: str, *parts: str) -> str:
    """`<kind>-<32 hex>`: the same kind and parts always give the same id.

    The parts are encoded unambiguously (("a", "b") and ("a\\x00b",) differ), so
    the id can key an exactly-once send.
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"notice kind must be lower-case words joined by '-': {kind!r}")
    payload = json.dumps([kind, *parts], ensure_ascii=True, separators=(",", ":"))
    return f"{kind}-{hashlib.sha256(payload.encode('ascii')).hexdigest()[:32]}"


def notice_id_from_message_id(header: str | None) -> str | None:
    """The notice id in a Message-ID header this module wrote (`<id@stockplan.local>`),
    or None for any other header."""
    if not header:
        return None
    text = header.strip()
    if not (text.startswith("<") and text.endswith(f"@{MESSAGE_ID_DOMAIN}>")):
        return None
    candidate = text[1 : -len(f"@{MESSAGE_ID_DOMAIN}>")]
    return candidate if _NOTICE_ID.fullmatch(candidate) else None


def send_time(day: date) -> datetime:
    """The moment a notice of `day` is dated: 09:00 plan time (at 09:00 a daylight-saving
    switch of the same day, at 02:00, has happened)."""
    return at_hour(day, SEND_HOUR)


def ascii_address(address: str) -> str:
    """The address as SES and a To: header take it: the domain converted with IDNA
    (`jose@exämple.com` -> `jose@xn--exmple-cua.com`).

    Feeds store addresses in this form already (stockplan.feeds.values.parse_email);
    this covers an address stored before they did. A part before the @ that is not
    ASCII cannot be converted: it is left as it is, SES refuses it, and the notice ends
    in the dead-letter queue with its alarm.
    """
    address = one_line(address)
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    if not at or not local.isascii():
        return address
    import idna  # the layer has it (email-validator's dependency); loaded only here

    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return address


def _cte(body: str) -> str:
    """7bit when the part is short-lined ASCII, else quoted-printable (SES wants 7-bit safe)."""
    if body.isascii() and all(len(line) <= 78 for line in body.splitlines()):
        return "7bit"
    return "quoted-printable"


def from_header(sender: str, sender_name: str | None) -> Any:
    """`Stock Plan Administration <stock-plans@ctc.example.com>`: the display name quoted
    where RFC 5322 needs it (a comma) and encoded (RFC 2047) where it is not ASCII; the
    address always plain."""
    address = ascii_address(sender)
    name = one_line(sender_name or "")
    if not name:
        return address
    from email.headerregistry import Address

    return Address(display_name=name, addr_spec=address)


# Header values written as they are (what the email package writes for them, checked by
# tests/unit/test_notices_mime.py against it): printable ASCII, single spaces, no
# encoded-word look-alike ("=?"), a display name of letters and digits only, a plain
# address. Anything else goes through the email package.
_PLAIN_VALUE = re.compile(r"[!-~]+(?: [!-~]+)*")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
# The email package's line length for a part's body (email.policy.SMTP).
_BODY_LINE_LENGTH = 78
_HEADER_LINE_LENGTH = 998


def build_mime(
    sender: str,
    recipient: str,
    rendered: RenderedNotice,
    sent_on: date,
    notice_id: str,
    *,
    sender_name: str | None = None,
    reply_to: str | None = None,
) -> bytes:
    """The .eml bytes: From (with the sender's display name), To, Reply-To when one is
    configured, Subject, Date, Message-ID; text/plain then text/html."""
    if not _NOTICE_ID.fullmatch(notice_id):
        raise ValueError(f"not a notice id (see notice_id()): {notice_id!r}")
    plain = _plain_mime(sender, recipient, rendered, sent_on, notice_id, sender_name, reply_to)
    if plain is not None:
        return plain
    return email_package_mime(
        sender,
        recipient,
        rendered,
        sent_on,
        notice_id,
        sender_name=sender_name,
        reply_to=reply_to,
    )


def _boundary(notice_id: str) -> str:
    # "=_" never occurs in 7bit text we write nor in quoted-printable output.
    return f"=_stockplan_{hashlib.sha256(notice_id.encode('ascii')).hexdigest()[:32]}"


def _plain_mime(
    sender: str,
    recipient: str,
    rendered: RenderedNotice,
    sent_on: date,
    notice_id: str,
    sender_name: str | None,
    reply_to: str | None,
) -> bytes | None:
    """The bytes `email_package_mime` writes, written directly (a tenth of its time: the
    email package parses back every header it is given) when every header is plain (see
    _PLAIN_VALUE); None otherwise."""
    from email.utils import format_datetime

    name = one_line(sender_name or "")
    addresses = [ascii_address(sender), ascii_address(recipient)]
    if reply_to:
        addresses.append(ascii_address(reply_to))
    subject = one_line(rendered.subject)
    if (
        (name and not _PLAIN_NAME.fullmatch(name))
        or not all(_PLAIN_ADDRESS.fullmatch(a) for a in addresses)
        or not _PLAIN_VALUE.fullmatch(subject)
        or "=?" in subject
    ):
        return None
    sender_field = f"{name} <{addresses[0]}>" if name else addresses[0]
    boundary = _boundary(notice_id)
    headers = [
        f"From: {sender_field}",
        f"To: {addresses[1]}",
        *([f"Reply-To: {addresses[2]}"] if reply_to else []),
        f"Subject: {subject}",
        f"Date: {format_datetime(send_time(sent_on))}",
        f"Message-ID: <{notice_id}@{MESSAGE_ID_DOMAIN}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    if any(len(line) > _HEADER_LINE_LENGTH for line in headers):
        return None
    parts = [_text_part("plain", rendered.text), _text_part("html", rendered.html)]
    lines = [*headers, "", f"--{boundary}", parts[0], f"--{boundary}", parts[1]]
    return ("\r\n".join(lines) + f"\r\n--{boundary}--\r\n").encode("ascii")


def _text_part(subtype: str, text: str) -> str:
    """A text part as the email package's content manager writes it: its headers, a
    blank line, the body, every line ended by CRLF."""
    from email import quoprimime

    cte = _cte(text)
    body = "\n".join(line.decode("latin-1") for line in text.encode("utf-8").splitlines()) + "\n"
    if cte == "quoted-printable":
        body = quoprimime.body_encode(body, _BODY_LINE_LENGTH)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
        + body.replace("\r\n", "\n").replace("\n", "\r\n")
    )


def email_package_mime(
    sender: str,
    recipient: str,
    rendered: RenderedNotice,
    sent_on: date,
    notice_id: str,
    *,
    sender_name: str | None = None,
    reply_to: str | None = None,
) -> bytes:
    """`build_mime`'s bytes as the email package writes them (any header)."""
    # The email package (about 35 ms to import) is loaded by the first notice, so a
    # daily run with nothing due does not pay for it at cold start.
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    msg = EmailMessage(policy=SMTP)
    # Plain addresses, never an encoded word: an international domain is written in
    # its IDNA (xn--) form, as SES is asked to deliver to it.
    msg["From"] = from_header(sender, sender_name)
    msg["To"] = ascii_address(recipient)
    if reply_to:
        msg["Reply-To"] = ascii_address(reply_to)
    msg["Subject"] = one_line(rendered.subject)
    msg["Date"] = format_datetime(send_time(sent_on))
    msg["Message-ID"] = f"<{notice_id}@{MESSAGE_ID_DOMAIN}>"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte=_cte(rendered.text))
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte=_cte(rendered.html))
    for part in msg.iter_parts():
        del part["MIME-Version"]  # belongs on the message only (RFC 2045 §4)
    msg.set_boundary(_boundary(notice_id))
    # Headers are written unfolded (RFC 5322 allows 998 characters a line): Python's
    # folder moves a long subject with a parenthesis wholly onto a continuation line
    # ("Subject:\r\n Formula option ... (award FO-...)"), which Python's own parser then
    # reads back with a leading space. Bodies are already encoded above.
    return msg.as_bytes(policy=msg.policy.clone(max_line_length=998))
