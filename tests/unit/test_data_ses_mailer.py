"""The SES port's one rule about failures (data/aws.py): whatever way a send fails, refused
by SES or lost on the way, the outbox sees a SendFailed naming the reason, never the
address (it retries, then parks the notice: docs/interfaces.md §2)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from stockplan.data.aws import SesMailer
from stockplan.data.ports import SendFailed


class FailingSes:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.requests: list[dict[str, Any]] = []

    def send_email(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        raise self.error


def test_a_connection_lost_on_the_way_to_ses_is_a_send_failure_named_by_its_kind() -> None:
    client = FailingSes(
        EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com")
    )

    with pytest.raises(SendFailed) as failed:
        SesMailer(client).send("from@ctc.example.com", "ann@ctc.example.com", b"raw", None)

    assert failed.value.code == "EndpointConnectionError"
    assert "ann@" not in str(failed.value)
    assert "ConfigurationSetName" not in client.requests[0]


def test_a_send_ses_refuses_is_a_send_failure_named_by_its_error_code() -> None:
    refused = ClientError({"Error": {"Code": "MessageRejected", "Message": "no"}}, "SendEmail")
    client = FailingSes(refused)

    with pytest.raises(SendFailed) as failed:
        SesMailer(client).send("from@ctc.example.com", "ann@ctc.example.com", b"raw", "notices")

    assert failed.value.code == "MessageRejected"
    assert client.requests[0]["ConfigurationSetName"] == "notices"
