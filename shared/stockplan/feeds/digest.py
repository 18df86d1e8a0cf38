"""A fingerprint of a feed's content, the same however the file was saved or named."""

from __future__ import annotations

import codecs
import hashlib


def content_digest(data: bytes) -> str:
    """sha256 hex of the content with a leading UTF-8 BOM removed, CRLF and lone CR
    turned into LF, and trailing line ends dropped.

    The same rows re-saved with CRLF, with or without a BOM or a final newline, or
    uploaded under another key, give the same digest.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n")
    return hashlib.sha256(data).hexdigest()
