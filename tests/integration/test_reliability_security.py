"""Security of the stack, checked against what really runs.

- No personal data in logs: two full `stockplan simulate` runs (the e2e scenarios with
  terminations, exercises, formula options and deferred stock) with the deployed log
  level (INFO); every log record, and all of stdout and stderr, is searched for every
  participant's name and address.
- Least privilege per function: during the same runs (and a sweep of a failed notice)
  every AWS call each handler makes is recorded; each must be allowed by that
  function's own policy in infra/template.yaml (action and resource), and each action
  a policy grants must be used, or be on the short list of actions a run cannot show
  (with the reason).
- cfn-lint with the serverless rules is clean (checkov and plain cfn-lint: make
  infra-check and test_template.py).
"""

from __future__ import annotations

import contextlib
import csv
import fnmatch
import io
import logging
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "e2e" / "scenarios"
RUNS = [
    ("termination_windows", date(2002, 1, 2), date(2003, 12, 31)),
    ("directors_meetings_and_fees", date(2000, 6, 1), date(2003, 1, 31)),
]
FUNCTIONS = ("FeedFunction", "DailyFunction", "NoticeFunction", "BounceFunction", "ChunkFunction")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Operational addresses of the stack (not a participant's): the sender and the admin.
STACK_ADDRESSES = {"stock-plans@ctc.example.com", "plan-admin@ctc.example.com"}
# Granted but not seen in a run, and why.
UNSEEN_BUT_NEEDED = {
    "sqs:SendMessage": "parks a notice in NoticeDeadLetterQueue after max_send_attempts "
    "(test_reliability_faults dead-letters one)",
    "ses:SendRawEmail": "SES authorises SendEmail with raw MIME content as SendRawEmail",
    "kms:Decrypt": "reads of the KMS-encrypted table, bucket and queue",
    "kms:GenerateDataKey": "writes to the KMS-encrypted table, bucket and queue",
    # Lambda's SQS event source polls the chunk queue with the ChunkFunction's role; the
    # embedded AWS's poller (EmbeddedStack.deliver_chunks) stands in for it, unrecorded.
    "sqs:ReceiveMessage": "the chunk queue's event source polls with the function's role",
    "sqs:DeleteMessage": "the chunk queue's event source deletes what the function did",
    "sqs:GetQueueAttributes": "the chunk queue's event source reads the queue's settings",
    # Of one function only (function/action).
    "ChunkFunction/dynamodb:DeleteItem": "a chunk of terminations, exercises or corrections "
    "deletes due items and facts, as the FeedFunction does (the scenarios' fanned-out "
    "files are participants and grants)",
}


@dataclass
class Observed:
    calls: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    logs: str = ""
    records: int = 0
    people: set[str] = field(default_factory=set)


def scenario_people() -> set[str]:
    """Every participant's name and addresses in the scenarios' participants feeds."""
    found: set[str] = set()
    for path in SCENARIOS.glob("*/feeds/*/participants.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            for column in ("name", "email", "personal_email", "estate_email"):
                value = (row.get(column) or "").strip()
                if value:
                    found.add(value)
    return found


def iam_actions(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The (IAM action, resource) pairs AWS authorises one API call against."""
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
            kinds["ConditionCheck"] = "ConditionCheckItem"
            return [
                (
                    f"dynamodb:{kinds[next(iter(op))]}",
                    f"table/{next(iter(op.values()))['TableName']}",
                )
                for op in params["TransactItems"]
            ]
        if operation == "BatchGetItem":
            return [("dynamodb:BatchGetItem", f"table/{name}") for name in params["RequestItems"]]
        resource = f"table/{params['TableName']}"
        if params.get("IndexName"):
            resource += f"/index/{params['IndexName']}"
        return [(f"dynamodb:{operation}", resource)]
    if service == "s3":
        action = {"GetObject": "s3:GetObject", "HeadObject": "s3:GetObject"}.get(
            operation, f"s3:{operation}"
        )
        if operation in ("GetObject", "HeadObject") and params.get("VersionId"):
            action = "s3:GetObjectVersion"
        return [(action, f"{params['Bucket']}/{params['Key']}")]
    if service == "sesv2":
        pairs = [(f"ses:{operation}", "identity")]
        if params.get("ConfigurationSetName"):
            # SES authorises a send against the configuration set it names as well.
            pairs.append(
                (f"ses:{operation}", f"configuration-set/{params['ConfigurationSetName']}")
            )
        return pairs
    if (service, operation) == ("sqs", "SendMessageBatch"):
        # Authorised as SendMessage.
        return [("sqs:SendMessage", params.get("QueueUrl", ""))]
    return [(f"{service}:{operation}", params.get("QueueUrl", ""))]


@contextlib.contextmanager
def recording(observed: Observed) -> Iterator[None]:
    """Hook every client the embedded stack makes, and tag each call with the
    template function whose handler is running."""
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    running: list[str] = []
    # The handler runs (not `invoke`): the chunk queue's poller, which runs after an
    # invocation as Lambda's event source does, is no function's own call.
    make_client, invoke = EmbeddedAws.client, EmbeddedStack._run

    def client(self: Any, service: str) -> Any:
        made = make_client(self, service)
        name = made.meta.service_model.service_name

        def record(model: Any, params: dict[str, Any], **_: Any) -> None:
            if running:
                for pair in iam_actions(name, model.name, params):
                    observed.calls[running[-1]].add(pair)

        made.meta.events.register("before-parameter-build", record)
        return made

    def tagged(self: Any, function: str, event: dict[str, Any]) -> Any:
        running.append(function)
        try:
            return invoke(self, function, event)
        finally:
            running.pop()

    EmbeddedAws.client = client  # type: ignore[method-assign]
    EmbeddedStack._run = tagged  # type: ignore[method-assign]
    try:
        yield
    finally:
        EmbeddedAws.client = make_client  # type: ignore[method-assign]
        EmbeddedStack._run = invoke  # type: ignore[method-assign]


@contextlib.contextmanager
def capturing_logs(observed: Observed) -> Iterator[None]:
    """The deployed log level (INFO) and every record the handlers' Powertools logger
    writes, formatted as in Lambda (JSON); stdout and stderr as well."""
    from aws_lambda_powertools import Logger

    buffer = io.StringIO()
    std = logging.getLogger("stockplan")  # POWERTOOLS_SERVICE_NAME
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(Logger(service="stockplan").registered_formatter)
    handler.setLevel(logging.DEBUG)
    root_handler = logging.StreamHandler(buffer)
    level = std.level
    root = logging.getLogger()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")  # quiet_powertools only sets a default
        std.addHandler(handler)
        root.addHandler(root_handler)
        std.setLevel(logging.INFO)
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                yield
        finally:
            std.removeHandler(handler)
            root.removeHandler(root_handler)
            std.setLevel(level)
    observed.logs = buffer.getvalue() + out.getvalue() + err.getvalue()
    observed.records = buffer.getvalue().count("\n")


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Observed:
    from stockplan_cli.simulate import simulate

    seen = Observed(people=scenario_people())
    # Whole simulations on moto: the calls each function makes are read off botocore's
    # clients (the IAM actions the template must grant).
    with recording(seen), capturing_logs(seen):
        for name, start, end in RUNS:
            with pytest.MonkeyPatch.context() as patch:
                if name == "termination_windows":
                    # Its files of 3 rows or more fan out (issue 13): the ChunkFunction's
                    # calls are recorded too.
                    patch.setenv("FANOUT_ROWS", "2")
                    patch.setenv("CHUNK_ROWS", "2")
                out = tmp_path_factory.mktemp(name)
                simulate(SCENARIOS / name, start, end, out, engine="moto")
        sweep_a_failed_notice()
        bounce_a_notice()
    return seen


def bounce_a_notice() -> None:
    """A grant notice that bounces: the BounceFunction marks it and mails the
    administrator the participant's other addresses (which must not reach a log)."""
    from handlers_support import PEOPLE_CSV, feed

    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws, ses_feedback_message
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws() as aws:
        stack = EmbeddedStack(aws)
        try:
            day = date(2002, 3, 15)
            feed(stack, "participants", PEOPLE_CSV, day)
            feed(
                stack,
                "grants",
                "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
                "final_exercise_date\nG-1,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15\n",
                day,
            )
            (sent,) = aws.sent_messages()
            message = ses_feedback_message(sent, "Bounce", date(2002, 3, 16))
            result = stack.deliver_feedback(message, "2002-03-16T16:00:00.000Z")
            assert result["alerts_sent"] == 1
            assert len(aws.sent_messages()) == 2
        finally:
            use_runtime(None)


def sweep_a_failed_notice() -> None:
    """A notice whose first send failed, retried by the NoticeFunction."""
    from botocore.exceptions import ClientError
    from handlers_support import PEOPLE_CSV, feed, run_notices

    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws() as aws:
        stack = EmbeddedStack(aws)
        try:
            real = stack.runtime.ses
            failures = [1]

            class Flaky:
                def send_email(self, **kwargs: Any) -> Any:
                    if failures:
                        failures.pop()
                        error = {"Error": {"Code": "Throttling", "Message": "x"}}
                        raise ClientError(error, "SendEmail")  # type: ignore[arg-type]
                    return real.send_email(**kwargs)

            day = date(2002, 3, 15)
            feed(stack, "participants", PEOPLE_CSV, day)
            feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", day)
            stack.runtime.ses = Flaky()
            # Ann's grant notice is the one whose first send fails.
            feed(
                stack,
                "grants",
                "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
                "final_exercise_date\nG-1,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15\n",
                day,
            )
            stack.runtime.ses = real
            assert run_notices(stack, day)["sent"] == 1
        finally:
            use_runtime(None)


def granted(source: dict[str, Any], function: str) -> list[tuple[str, str]]:
    """(action, resource pattern) of the function's own policy; resources reduced to
    the part after the account (table/..., bucket/key, identity, queue)."""
    pairs = []
    for statement in source["Resources"][function]["Properties"]["Policies"][0]["Statement"]:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        for action in actions:
            for resource in resources:
                pairs.append((action, _pattern(resource)))
    return pairs


def _pattern(resource: Any) -> str:
    text = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        logical = resource["Fn::GetAtt"][0]
        return {"DataTable": "table/stockplan-local-data", "DataKey": "key"}.get(logical, "queue")
    assert isinstance(text, str), resource
    text = text.replace("${DataTable.Arn}", "table/stockplan-local-data")
    text = re.sub(r"arn:\$\{AWS::Partition\}:s3:::", "", text)
    text = text.replace("${Stage}", "local").replace("${AWS::AccountId}", "123456789012")
    text = text.replace("${AWS::Region}", "us-east-1")
    if ":identity/" in text:
        return "identity"
    text = text.replace("${NoticeConfigurationSet}", "stockplan-local-notices")
    if ":configuration-set/" in text:
        return "configuration-set/" + text.rsplit(":configuration-set/", 1)[1]
    return text


def allowed(pairs: list[tuple[str, str]], action: str, resource: str) -> bool:
    for granted_action, pattern in pairs:
        if granted_action != action:
            continue
        if pattern in ("queue", "key", "identity") or fnmatch.fnmatchcase(resource, pattern):
            return True
    return False


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    from stockplan_cli.infra_spec import load_template

    return load_template(ROOT / "infra" / "template.yaml")


# ----------------------------------------------------------------- logs


def test_a_full_simulate_logs_no_participant_name_or_address(observed: Observed) -> None:
    logs = observed.logs
    assert observed.records > 50, "no log records captured: the test would prove nothing"
    assert '"feed processed"' in logs and '"daily job done"' in logs
    assert '"bounces and complaints recorded"' in logs
    assert len(observed.people) > 10
    leaked = sorted(p for p in observed.people if p in logs)
    assert leaked == []
    addresses = set(EMAIL.findall(logs)) - STACK_ADDRESSES
    assert addresses == set()


# ----------------------------------------------------------------- IAM


def test_every_call_a_function_makes_is_allowed_by_its_own_policy(
    observed: Observed, source: dict[str, Any]
) -> None:
    assert set(observed.calls) == set(FUNCTIONS)
    refused = []
    for function, calls in observed.calls.items():
        pairs = granted(source, function)
        for action, resource in sorted(calls):
            if not allowed(pairs, action, resource):
                refused.append(f"{function}: {action} on {resource}")
    assert refused == [], "\n".join(refused)


def test_every_action_a_function_is_granted_is_used_or_needed_for_a_stated_reason(
    observed: Observed, source: dict[str, Any]
) -> None:
    unused = []
    for function in FUNCTIONS:
        used = {action for action, _ in observed.calls[function]}
        for action in sorted({a for a, _ in granted(source, function)}):
            needed = action in UNSEEN_BUT_NEEDED or f"{function}/{action}" in UNSEEN_BUT_NEEDED
            if action not in used and not needed:
                unused.append(f"{function} is granted {action} but never uses it")
    assert unused == [], "\n".join(unused)


def test_feeds_read_only_incoming_and_write_only_errors(observed: Observed) -> None:
    s3 = [(a, r) for a, r in observed.calls["FeedFunction"] if a.startswith("s3:")]
    bucket = "stockplan-local-data-123456789012-us-east-1/"
    assert {a for a, _ in s3} >= {"s3:GetObjectVersion", "s3:PutObject"}
    for action, resource in s3:
        folder = "errors/" if action == "s3:PutObject" else "incoming/"
        assert resource.startswith(bucket + folder), (action, resource)
    assert not any(a.startswith("s3:") for a, _ in observed.calls["NoticeFunction"])
    # The daily job files the monthly reports (docs/interfaces.md §4) and touches nothing else.
    daily = {(a, r) for a, r in observed.calls["DailyFunction"] if a.startswith("s3:")}
    assert daily and {a for a, _ in daily} == {"s3:PutObject"}
    assert all(r.startswith(bucket + "reports/") for _, r in daily), daily


def test_cfn_lint_with_the_serverless_rules_is_clean() -> None:
    pytest.importorskip("cfn_lint_serverless")
    script = (
        "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "-a",
            "cfn_lint_serverless.rules",
            "--",
            "infra/template.yaml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
