"""The two AWS events the handlers receive, read into small typed values.

Powertools' event data classes would do the same, but importing them loads every event
class Powertools knows (about 35 ms of each cold start) to read five fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


class EventError(ValueError):
    """The event is not the shape AWS sends; nothing was done with it."""


@dataclass(frozen=True)
class S3Upload:
    bucket: str
    key: str
    event_time: str
    version_id: str | None
    size: int | None
    etag: str | None


def s3_uploads(event: dict[str, Any]) -> list[S3Upload]:
    """The objects of an S3 ObjectCreated notification, keys decoded.

    S3 URL-encodes the key in the event (a space arrives as '+'), so it is decoded here
    before anything reads the object.
    """
    records = event.get("Records")
    if not isinstance(records, list):
        raise EventError("not an S3 event: no Records list")
    uploads = []
    for number, record in enumerate(records, start=1):
        try:
            s3 = record["s3"]
            obj = s3["object"]
            size = obj.get("size")
            uploads.append(
                S3Upload(
                    bucket=str(s3["bucket"]["name"]),
                    key=unquote_plus(str(obj["key"])),
                    event_time=str(record["eventTime"]),
                    version_id=obj.get("versionId") or None,
                    size=None if size is None else int(size),
                    etag=obj.get("eTag") or None,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EventError(f"S3 event record {number} lacks {exc}") from None
    return uploads


def schedule_time(event: dict[str, Any]) -> str:
    """The `time` of an EventBridge (scheduled) event: the moment the schedule fired."""
    moment = event.get("time")
    if not isinstance(moment, str) or not moment:
        raise EventError("not an EventBridge event: no time")
    return moment
