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
from typing import NamedTuple

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


class Envelope(NamedTuple):
    """A notice's headers as written: addresses in their plain (IDNA) form, the display
    name and subject on one line."""

    sender: str
    sender_name: str  # "" for none
    recipient: str
    reply_to: str | None
    subject: str
    sent_on: date
    notice_id: str


def envelope(
    sender: str,
    recipient: str,
    subject: str,
    sent_on: date,
    notice_id: str,
    sender_name: str | None = None,
    reply_to: str | None = None,
) -> Envelope:
    if not _NOTICE_ID.fullmatch(notice_id):
        raise ValueError(f"not a notice id (see notice_id()): {notice_id!r}")
    return Envelope(
        ascii_address(sender),
        one_line(sender_name or ""),
        ascii_address(recipient),
        ascii_address(reply_to) if reply_to else None,
        one_line(subject),
        sent_on,
        notice_id,
    )


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
_HEADER_LINE_LENGTH = 998  # RFC 5322: headers are written unfolded up to it


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
    headers = envelope(
        sender, recipient, rendered.subject, sent_on, notice_id, sender_name, reply_to
    )
    return plain_mime(headers, rendered) or email_package_mime(headers, rendered)


def _boundary(notice_id: str) -> str:
    # "=_" never occurs in 7bit text we write nor in quoted-printable output.
    return f"=_stockplan_{hashlib.sha256(notice_id.encode('ascii')).hexdigest()[:32]}"


def plain_mime(headers: Envelope, rendered: RenderedNotice) -> bytes | None:
    """The bytes `email_package_mime` writes, written directly (a tenth of its time: the
    email package parses back every header it is given) when every header is plain (see
    _PLAIN_VALUE); None otherwise."""
    from email.utils import format_datetime

    name, subject = headers.sender_name, headers.subject
    addresses = [headers.sender, headers.recipient, *filter(None, [headers.reply_to])]
    if (
        (name and not _PLAIN_NAME.fullmatch(name))
        or not all(_PLAIN_ADDRESS.fullmatch(a) for a in addresses)
        or not _PLAIN_VALUE.fullmatch(subject)
        or "=?" in subject
    ):
        return None
    boundary = _boundary(headers.notice_id)
    lines = [
        f"From: {name} <{headers.sender}>" if name else f"From: {headers.sender}",
        f"To: {headers.recipient}",
        *([f"Reply-To: {headers.reply_to}"] if headers.reply_to else []),
        f"Subject: {subject}",
        f"Date: {format_datetime(send_time(headers.sent_on))}",
        f"Message-ID: <{headers.notice_id}@{MESSAGE_ID_DOMAIN}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    if any(len(line) > _HEADER_LINE_LENGTH for line in lines):
        return None
    lines += ["", f"--{boundary}", _text_part("plain", rendered.text)]
    lines += [f"--{boundary}", _text_part("html", rendered.html)]
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


def email_package_mime(headers: Envelope, rendered: RenderedNotice) -> bytes:
    """`build_mime`'s bytes as the email package writes them (any header)."""
    # The email package (about 35 ms to import) is loaded by the first notice, so a
    # daily run with nothing due does not pay for it at cold start.
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    msg = EmailMessage(policy=SMTP)
    # Plain addresses, never an encoded word: an international domain is written in
    # its IDNA (xn--) form, as SES is asked to deliver to it. The display name is quoted
    # where RFC 5322 needs it (a comma) and encoded (RFC 2047) where it is not ASCII.
    name = headers.sender_name
    msg["From"] = Address(display_name=name, addr_spec=headers.sender) if name else headers.sender
    msg["To"] = headers.recipient
    if headers.reply_to:
        msg["Reply-To"] = headers.reply_to
    msg["Subject"] = headers.subject
    msg["Date"] = format_datetime(send_time(headers.sent_on))
    msg["Message-ID"] = f"<{headers.notice_id}@{MESSAGE_ID_DOMAIN}>"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte=_cte(rendered.text))
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte=_cte(rendered.html))
    for part in msg.iter_parts():
        del part["MIME-Version"]  # belongs on the message only (RFC 2045 §4)
    msg.set_boundary(_boundary(headers.notice_id))
    # Headers are written unfolded (RFC 5322 allows 998 characters a line): Python's
    # folder moves a long subject with a parenthesis wholly onto a continuation line
    # ("Subject:\r\n Formula option ... (award FO-...)"), which Python's own parser then
    # reads back with a leading space. Bodies are already encoded above.
    return msg.as_bytes(policy=msg.policy.clone(max_line_length=_HEADER_LINE_LENGTH))
