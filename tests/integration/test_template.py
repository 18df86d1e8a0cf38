"""The SAM template: it translates, it is least-privilege and it lints clean.

Runs offline: the SAM translator is given a managed-policy loader that knows
no policies and a fixed region, and cfn-lint reads only the local file.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from stockplan.domain.plans import PLAN_TIMEZONE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"
EVENTS = ROOT / "events"
FEED_KINDS = (
    "corrections",
    "decisions",
    "participants",
    "grants",
    "prices",
    "terminations",
    "meetings",
    "elections",
    "fees",
    "exercises",
    "corporate_actions",
    "plan_actions",
)
FUNCTION_IDS = (
    "FeedFunction",
    "DailyFunction",
    "NoticeFunction",
    "BounceFunction",
    "ChunkFunction",
)
# Each function's own variables besides the global ones.
FUNCTION_ENVIRONMENT = {
    "FeedFunction": {"CHUNK_QUEUE_URL", "FANOUT_ROWS", "CHUNK_ROWS"},
    "ChunkFunction": {"CHUNK_MAX_RECEIVES", "CHUNK_DLQ_ARN"},
    "BounceFunction": {"FEEDBACK_TOPIC_ARN"},
}
GLOBAL_ENVIRONMENT = {
    "TABLE_NAME",
    "BUCKET_NAME",
    "SENDER_EMAIL",
    "ADMIN_EMAIL",
    "NOTICE_DLQ_URL",
    "CONFIGURATION_SET_NAME",
    "NOTICE_BODY_RETENTION_DAYS",
    "SES_MAX_SEND_RATE",
    "GO_LIVE_DATE",
    "SENDER_NAME",
    "REPLY_TO_EMAIL",
    "CONTACT_LINE",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
    "PYDANTIC_DISABLE_PLUGINS",
}
# Actions that AWS only authorises on Resource "*" (SAM adds them for Tracing).
STAR_RESOURCE_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# The only AWS managed policies a role may carry (SAM's basic role + Tracing).
ALLOWED_MANAGED_POLICIES = {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
_S3_ACTIONS = {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}
_CONFIGURATION_SET_ARN = (
    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
    ":configuration-set/${NoticeConfigurationSet}"
)


class _NoManagedPolicies:
    """Stands in for samtranslator's ManagedPolicyLoader, which calls IAM."""

    def load(self) -> dict[str, str]:
        return {}


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    from stockplan_cli.infra_spec import load_template

    return load_template(TEMPLATE)


@pytest.fixture(scope="module")
def translated(source: dict[str, Any]) -> dict[str, Any]:
    transform = pytest.importorskip("samtranslator.translator.transform")
    template = copy.deepcopy(source)
    # `sam package` replaces local code paths with S3 URIs; do the same.
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = f"s3://stockplan-artifacts/{logical_id}.zip"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        result: dict[str, Any] = transform.transform(template, {}, _NoManagedPolicies())
    return result


def _of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_name}


def _identity_policy_statements(
    template: dict[str, Any],
) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                for statement in _listify(policy["PolicyDocument"]["Statement"]):
                    yield f"{logical_id}/{policy['PolicyName']}", statement
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in _listify(props["PolicyDocument"]["Statement"]):
                yield logical_id, statement


# ------------------------------------------------------------- translation


def test_sam_translator_accepts_template(translated: dict[str, Any]) -> None:
    assert "Transform" not in translated
    assert len(_of_type(translated, "AWS::Lambda::Function")) == len(FUNCTION_IDS)
    assert set(_of_type(translated, "AWS::Lambda::Function")) == set(FUNCTION_IDS)
    tables = _of_type(translated, "AWS::DynamoDB::Table")
    assert list(tables) == ["DataTable"]
    indexes = tables["DataTable"]["Properties"]["GlobalSecondaryIndexes"]
    assert [i["IndexName"] for i in indexes] == ["DueIndex", "MessageIndex"]
    assert "DataBucket" in _of_type(translated, "AWS::S3::Bucket")
    assert len(_of_type(translated, "AWS::Lambda::LayerVersion")) == 1
    assert len(_of_type(translated, "AWS::Scheduler::Schedule")) == 2


def test_logical_ids_other_code_relies_on(source: dict[str, Any]) -> None:
    expected = {
        "SharedLayer": "AWS::Serverless::LayerVersion",
        "FeedFunction": "AWS::Serverless::Function",
        "DailyFunction": "AWS::Serverless::Function",
        "NoticeFunction": "AWS::Serverless::Function",
        "BounceFunction": "AWS::Serverless::Function",
        "NoticeConfigurationSet": "AWS::SES::ConfigurationSet",
        "NoticeFeedbackTopic": "AWS::SNS::Topic",
        "DataTable": "AWS::DynamoDB::Table",
        "DataBucket": "AWS::S3::Bucket",
        "DataBucketPolicy": "AWS::S3::BucketPolicy",
        "FeedFailureQueue": "AWS::SQS::Queue",
        "NoticeDeadLetterQueue": "AWS::SQS::Queue",
        "ScheduleDeadLetterQueue": "AWS::SQS::Queue",
        "FeedFailureAlarm": "AWS::CloudWatch::Alarm",
        "NoticeDeadLetterAlarm": "AWS::CloudWatch::Alarm",
        "ScheduleDeadLetterAlarm": "AWS::CloudWatch::Alarm",
    }
    actual = {k: source["Resources"][k]["Type"] for k in expected if k in source["Resources"]}
    assert actual == expected
    assert {"SenderEmail", "AdminEmail", "Stage", "LogRetentionDays"} <= set(source["Parameters"])
    assert source["Parameters"]["Stage"]["Default"] == "dev"
    assert source["Parameters"]["LogRetentionDays"]["Default"] == 365


def test_functions_share_runtime_layer_tracing_and_environment(
    translated: dict[str, Any],
) -> None:
    for logical_id in FUNCTION_IDS:
        props = translated["Resources"][logical_id]["Properties"]
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["arm64"]
        assert props["MemorySize"] == 512
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert len(props["Layers"]) == 1
        assert props["KmsKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        variables = props["Environment"]["Variables"]
        assert set(variables) == GLOBAL_ENVIRONMENT | FUNCTION_ENVIRONMENT.get(logical_id, set())
        assert variables["POWERTOOLS_SERVICE_NAME"] == "stockplan"
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Stockplan"
        assert variables["TABLE_NAME"] == {"Ref": "DataTable"}
        assert variables["NOTICE_DLQ_URL"] == {"Ref": "NoticeDeadLetterQueue"}
    feed = translated["Resources"]["FeedFunction"]["Properties"]
    daily = translated["Resources"]["DailyFunction"]["Properties"]
    assert feed["Timeout"] == 300
    assert daily["Timeout"] == 900
    # The daily job never overlaps itself.
    assert daily["ReservedConcurrentExecutions"] == 1


def test_large_feed_files_fan_out_in_chunks_through_an_alarmed_queue(
    translated: dict[str, Any],
) -> None:
    """Issue 13: the chunk queue's messages reappear only after 6 function timeouts and
    go to the dead-letter queue on the receive the function counts as the last; the
    function reports each failed chunk alone, at a concurrency the stack bounds."""
    resources = translated["Resources"]
    chunk = resources["ChunkFunction"]["Properties"]
    queue = resources["ChunkQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * chunk["Timeout"]
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["ChunkDeadLetterQueue", "Arn"]}
    assert str(redrive["maxReceiveCount"]) == str(
        chunk["Environment"]["Variables"]["CHUNK_MAX_RECEIVES"]
    )
    assert chunk["ReservedConcurrentExecutions"] == {"Ref": "ChunkConcurrency"}
    mappings = _of_type(translated, "AWS::Lambda::EventSourceMapping")
    assert set(mappings) == {"ChunkEventSource", "ChunkDeadLetterEventSource"}
    mapping = mappings["ChunkEventSource"]
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["ChunkQueue", "Arn"]}
    assert mapping["Properties"]["FunctionName"] == {"Ref": "ChunkFunction"}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    feed = resources["FeedFunction"]["Properties"]["Environment"]["Variables"]
    assert feed["CHUNK_QUEUE_URL"] == {"Ref": "ChunkQueue"}
    assert feed["FANOUT_ROWS"] == {"Ref": "FanoutRows"}


def test_chunks_that_failed_for_good_are_consumed_by_the_chunk_function_to_close_their_files(
    translated: dict[str, Any], source: dict[str, Any]
) -> None:
    """However a chunk died (an error, a timeout, out of memory), its message reaches
    ChunkDeadLetterQueue; the ChunkFunction consumes that queue too, knows its messages
    by the queue's ARN, and may receive from the two chunk queues and no other."""
    from stockplan.metrics import CHUNKS_FAILED

    resources = translated["Resources"]
    dead = resources["ChunkDeadLetterEventSource"]["Properties"]
    dlq = {"Fn::GetAtt": ["ChunkDeadLetterQueue", "Arn"]}
    assert dead["EventSourceArn"] == dlq
    assert dead["FunctionName"] == {"Ref": "ChunkFunction"}
    assert dead["BatchSize"] == 1
    assert dead["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    chunk = resources["ChunkFunction"]["Properties"]
    assert chunk["Environment"]["Variables"]["CHUNK_DLQ_ARN"] == dlq
    # Lambda needs a queue's visibility timeout to cover the function's timeout.
    queue = resources["ChunkDeadLetterQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= chunk["Timeout"]
    receiving = [
        s
        for p in source["Resources"]["ChunkFunction"]["Properties"]["Policies"]
        for s in p["Statement"]
        if any(str(a).startswith("sqs:Receive") for a in s["Action"])
    ]
    (statement,) = receiving
    assert statement["Action"] == [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ]
    assert statement["Resource"] == [{"Fn::GetAtt": ["ChunkQueue", "Arn"]}, dlq]
    # A chunk that failed for good is alarmed as it happens, and a dead chunk the
    # function could not close is alarmed by its age in the queue.
    props = _custom_alarm(translated, source, CHUNKS_FAILED)
    assert (props["Statistic"], props["Threshold"]) == ("Sum", 1)
    alarm = resources["ChunkDeadLetterAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert alarm["Threshold"] == 3600


def test_bucket_name_in_environment_and_policies_is_the_bucket(
    source: dict[str, Any],
) -> None:
    # The name is spelled out (a Ref would be a circular dependency), so all
    # the places that spell it must agree.
    name = source["Resources"]["DataBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    env = source["Globals"]["Function"]["Environment"]["Variables"]["BUCKET_NAME"]
    assert env == {"Fn::Sub": name}
    statements = source["Resources"]["FeedFunction"]["Properties"]["Policies"][0]["Statement"]
    s3_resources = {
        s["Resource"]["Fn::Sub"]
        for s in statements
        if set(s["Action"] if isinstance(s["Action"], list) else [s["Action"]]) & _S3_ACTIONS
    }
    assert s3_resources == {
        f"arn:${{AWS::Partition}}:s3:::{name}/incoming/*",
        f"arn:${{AWS::Partition}}:s3:::{name}/errors/*",
    }


def test_feed_is_triggered_by_every_upload_under_incoming_csv_or_not(
    translated: dict[str, Any],
) -> None:
    bucket = translated["Resources"]["DataBucket"]["Properties"]
    (config,) = bucket["NotificationConfiguration"]["LambdaConfigurations"]
    assert config["Function"] == {"Fn::GetAtt": ["FeedFunction", "Arn"]}
    assert config["Event"] == "s3:ObjectCreated:*"
    rules = {r["Name"]: r["Value"] for r in config["Filter"]["S3Key"]["Rules"]}
    # No suffix: a file that is not .csv is reported to the administrator (interfaces §1a).
    assert rules == {"prefix": "incoming/"}
    invoke = translated["Resources"]["FeedFunctionEventInvokeConfig"]["Properties"]
    assert invoke["MaximumRetryAttempts"] == 2
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["FeedFailureQueue", "Arn"]
    }


def test_schedules(translated: dict[str, Any]) -> None:
    schedules = {
        s["Properties"]["Target"]["Arn"]["Fn::GetAtt"][0]: s["Properties"]
        for s in _of_type(translated, "AWS::Scheduler::Schedule").values()
    }
    daily = schedules["DailyFunction"]
    assert daily["ScheduleExpression"] == "cron(0 6 * * ? *)"
    # The plan day the code reads (stockplan.plantime) is the one the schedule fires in.
    assert daily["ScheduleExpressionTimezone"] == PLAN_TIMEZONE
    assert daily["Target"]["RetryPolicy"] == {
        "MaximumRetryAttempts": 3,
        "MaximumEventAgeInSeconds": 86400,
    }
    notices = schedules["NoticeFunction"]
    assert notices["ScheduleExpression"] == "rate(15 minutes)"
    for props in (daily, notices):
        target = props["Target"]
        assert target["DeadLetterConfig"]["Arn"] == {
            "Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]
        }
        assert target["RoleArn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}


def test_scheduled_input_has_the_shape_of_the_sample_events(source: dict[str, Any]) -> None:
    for logical_id, sample in (("DailyFunction", "daily"), ("NoticeFunction", "notices")):
        (event,) = source["Resources"][logical_id]["Properties"]["Events"].values()
        text = event["Properties"]["Input"]["Fn::Sub"]
        text = text.replace("${AWS::AccountId}", "123456789012")
        text = text.replace("${AWS::Region}", "us-east-1")
        payload = json.loads(text)
        expected = json.loads((EVENTS / f"schedule_{sample}.json").read_text(encoding="utf-8"))
        assert set(payload) == set(expected)
        assert payload["time"] == "<aws.scheduler.scheduled-time>"
        assert payload["source"] == expected["source"] == "aws.scheduler"
        assert payload["detail-type"] == expected["detail-type"] == "Scheduled Event"


# ---------------------------------------------------------- least privilege


def test_iam_statements_have_no_wildcard_actions_or_unscoped_resources(
    translated: dict[str, Any],
) -> None:
    problems: list[str] = []
    seen = 0
    for where, statement in _identity_policy_statements(translated):
        seen += 1
        if "NotAction" in statement or "NotResource" in statement:
            problems.append(f"{where}: NotAction/NotResource")
        if statement.get("Effect") != "Allow":
            continue
        actions = _listify(statement.get("Action", []))
        for action in actions:
            if action == "*" or (isinstance(action, str) and action.endswith(":*")):
                problems.append(f"{where}: action {action!r}")
        for resource in _listify(statement.get("Resource", [])):
            if resource == "*" and not set(actions) <= STAR_RESOURCE_ACTIONS:
                problems.append(f"{where}: Resource '*' for {actions}")
    assert seen >= 15, "no IAM statements found: has the template changed shape?"
    assert problems == []


def test_roles_carry_no_broad_managed_policies(translated: dict[str, Any]) -> None:
    for logical_id, role in _of_type(translated, "AWS::IAM::Role").items():
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            assert isinstance(arn, str), f"{logical_id}: unexpected managed policy {arn}"
            assert arn.rsplit("/", 1)[-1] in ALLOWED_MANAGED_POLICIES, (logical_id, arn)


def test_roles_can_be_assumed_only_by_their_service(translated: dict[str, Any]) -> None:
    services = {}
    for logical_id, role in _of_type(translated, "AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert set(statement["Principal"]) == {"Service"}
        services[logical_id] = _listify(statement["Principal"]["Service"])
    assert services["SchedulerRole"] == ["scheduler.amazonaws.com"]
    for logical_id in FUNCTION_IDS:
        assert services[f"{logical_id}Role"] == ["lambda.amazonaws.com"]


def test_ses_sending_is_pinned_to_the_sender_address(translated: dict[str, Any]) -> None:
    for logical_id in FUNCTION_IDS:
        role = translated["Resources"][f"{logical_id}Role"]["Properties"]
        ses = [
            s
            for policy in role["Policies"]
            for s in _listify(policy["PolicyDocument"]["Statement"])
            if any(str(a).startswith("ses:") for a in _listify(s["Action"]))
        ]
        assert len(ses) == 1, logical_id
        assert ses[0]["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
        assert "ses:SendRawEmail" in ses[0]["Action"]


def test_notices_are_sent_through_the_configuration_set_and_may_name_it(
    source: dict[str, Any],
) -> None:
    env = source["Globals"]["Function"]["Environment"]["Variables"]
    assert env["CONFIGURATION_SET_NAME"] == {"Ref": "NoticeConfigurationSet"}
    for logical_id in FUNCTION_IDS:
        statements = source["Resources"][logical_id]["Properties"]["Policies"][0]["Statement"]
        (ses,) = [s for s in statements if s["Sid"] == "SendNoticesFromPlanSender"]
        assert {"Fn::Sub": _CONFIGURATION_SET_ARN} in ses["Resource"], logical_id


def test_bounces_and_complaints_reach_the_bounce_function_and_nothing_is_dropped(
    translated: dict[str, Any],
) -> None:
    resources = translated["Resources"]
    (destination,) = _of_type(translated, "AWS::SES::ConfigurationSetEventDestination").values()
    props = destination["Properties"]
    assert props["ConfigurationSetName"] == {"Ref": "NoticeConfigurationSet"}
    event = props["EventDestination"]
    assert event["Enabled"] is True
    assert sorted(event["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert event["SnsDestination"]["TopicARN"] == {"Ref": "NoticeFeedbackTopic"}
    (subscription,) = [
        s["Properties"]
        for s in _of_type(translated, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": "NoticeFeedbackTopic"}
    ]
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["BounceFunction", "Arn"]}
    parked = {"Fn::GetAtt": ["NoticeFeedbackFailureQueue", "Arn"]}
    assert subscription["RedrivePolicy"] == {"deadLetterTargetArn": parked}
    bounce = resources["BounceFunction"]["Properties"]
    assert bounce["DeadLetterConfig"] == {"TargetArn": parked}
    invoke = resources["BounceFunctionEventInvokeConfig"]["Properties"]
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == parked
    # Only SES, for the stack's own configuration set, may publish to the topic.
    policy = resources["NoticeFeedbackTopicPolicy"]["Properties"]["PolicyDocument"]
    (allow,) = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "ses.amazonaws.com"}
    assert allow["Condition"]["ArnLike"]["aws:SourceArn"] == {"Fn::Sub": _CONFIGURATION_SET_ARN}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert _tls_only(policy)


def test_the_bounce_function_reads_only_its_own_feedback_topic_and_may_do_nothing_on_it(
    translated: dict[str, Any],
) -> None:
    """The BounceFunction is told the stack's NoticeFeedbackTopic (FEEDBACK_TOPIC_ARN, the
    ARN SNS names in each record it delivers): records of any other topic, account or
    type are refused. Being invoked by the topic needs no permission of its own: its
    role is granted nothing on SNS (least privilege)."""
    resources = translated["Resources"]
    bounce = resources["BounceFunction"]["Properties"]
    assert bounce["Environment"]["Variables"]["FEEDBACK_TOPIC_ARN"] == {
        "Ref": "NoticeFeedbackTopic"
    }
    # The one subscription of the topic is the function's, the one the variable names.
    (subscription,) = [
        s["Properties"]
        for s in _of_type(translated, "AWS::SNS::Subscription").values()
        if s["Properties"]["Endpoint"] == {"Fn::GetAtt": ["BounceFunction", "Arn"]}
    ]
    assert subscription["TopicArn"] == bounce["Environment"]["Variables"]["FEEDBACK_TOPIC_ARN"]
    role = resources[bounce["Role"]["Fn::GetAtt"][0]]["Properties"]
    actions = [
        action
        for policy in role["Policies"]
        for statement in _listify(policy["PolicyDocument"]["Statement"])
        for action in _listify(statement["Action"])
    ]
    assert actions and not [a for a in actions if a.startswith("sns:")]
    # Only SNS, from that topic, may invoke it.
    (permission,) = [
        p["Properties"]
        for p in _of_type(translated, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Ref": "BounceFunction"}
        and p["Properties"]["Principal"] == "sns.amazonaws.com"
    ]
    assert permission["SourceArn"] == {"Ref": "NoticeFeedbackTopic"}


def test_resource_policies_allow_nothing_to_everyone(translated: dict[str, Any]) -> None:
    documents = []
    for logical_id, resource in translated["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::KMS::Key":
            documents.append((logical_id, props["KeyPolicy"]))
        elif resource["Type"] in (
            "AWS::S3::BucketPolicy",
            "AWS::SQS::QueuePolicy",
            "AWS::SNS::TopicPolicy",
        ):
            documents.append((logical_id, props["PolicyDocument"]))
    assert len(documents) >= 5
    for logical_id, document in documents:
        for statement in _listify(document["Statement"]):
            if statement["Effect"] == "Allow":
                principal = statement["Principal"]
                assert principal != "*", logical_id
                assert isinstance(principal, dict), logical_id
                assert "*" not in _listify(principal.get("AWS", [])), logical_id


# ------------------------------------------------------------ data at rest


def _tls_only(policy: dict[str, Any]) -> bool:
    return any(
        s["Effect"] == "Deny"
        and s["Principal"] == "*"
        and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in _listify(policy["Statement"])
    )


def test_data_bucket_is_private_encrypted_versioned_and_tls_only(
    translated: dict[str, Any],
) -> None:
    bucket = translated["Resources"]["DataBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": ["DataKey", "Arn"]
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert bucket["LifecycleConfiguration"]["Rules"]  # retention: its own test below
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogBucket"}
    policy = translated["Resources"]["DataBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "DataBucket"}
    assert _tls_only(policy["PolicyDocument"])
    assert translated["Resources"]["DataBucket"]["DeletionPolicy"] == "Retain"


RETENTION = {
    # parameter: (default, least allowed)
    "IncomingFeedRetentionDays": (3653, 2557),
    "ErrorReportRetentionDays": (365, 30),
    "SentNoticeBodyRetentionDays": (90, 1),
    "LogRetentionDays": (365, 365),
}


def test_retention_is_set_by_parameters_with_safe_defaults(source: dict[str, Any]) -> None:
    parameters = source["Parameters"]
    for name, (default, least) in RETENTION.items():
        parameter = parameters[name]
        assert parameter["Type"] == "Number"
        assert parameter["Default"] == default, name
        allowed = parameter.get("AllowedValues")
        assert (min(allowed) if allowed else parameter["MinValue"]) == least, name


def test_feeds_and_error_reports_expire_by_their_own_rules_and_so_do_old_versions(
    translated: dict[str, Any],
) -> None:
    rules = translated["Resources"]["DataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    by_prefix = {rule.get("Prefix", ""): rule for rule in rules}
    assert set(by_prefix) == {"incoming/", "errors/", ""}
    for prefix, parameter in (
        ("incoming/", "IncomingFeedRetentionDays"),
        ("errors/", "ErrorReportRetentionDays"),
    ):
        rule = by_prefix[prefix]
        assert rule["Status"] == "Enabled"
        assert rule["ExpirationInDays"] == {"Ref": parameter}
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": {"Ref": parameter}}
    # The bucket-wide rule expires nothing of either: S3 would apply the shorter rule.
    everything = by_prefix[""]
    assert "ExpirationInDays" not in everything
    assert "NoncurrentVersionExpiration" not in everything
    assert everything["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert everything["ExpiredObjectDeleteMarker"] is True


def test_sent_notice_bodies_expire_by_the_tables_time_to_live(translated: dict[str, Any]) -> None:
    from stockplan.service.outbox import BODY_EXPIRY_ATTRIBUTE

    table = translated["Resources"]["DataTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {
        "AttributeName": BODY_EXPIRY_ATTRIBUTE,
        "Enabled": True,
    }
    for function in FUNCTION_IDS:
        variables = translated["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables["NOTICE_BODY_RETENTION_DAYS"] == {"Ref": "SentNoticeBodyRetentionDays"}
        assert variables["SES_MAX_SEND_RATE"] == {"Ref": "SesMaxSendRate"}
        # docs/plan-rules.md "Facts in time": every function reads the go-live day.
        assert variables["GO_LIVE_DATE"] == {"Ref": "GoLiveDate"}


def test_go_live_date_is_a_parameter_empty_or_a_date(source: dict[str, Any]) -> None:
    """GoLiveDate (docs/interfaces.md §1d): empty by default; its pattern takes what the
    GO_LIVE_DATE setting takes (a day YYYY-MM-DD) and refuses other text."""
    import re

    parameter = source["Parameters"]["GoLiveDate"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("") and pattern.fullmatch("2002-05-01")
    assert not pattern.fullmatch("May 1, 2002") and not pattern.fullmatch("2002-5-1")


def test_the_notices_letterhead_comes_from_template_parameters(
    source: dict[str, Any], translated: dict[str, Any]
) -> None:
    """Sender display name, Reply-To (the administrator when left empty) and contact line
    (issue 15): parameters whose defaults are the ones Settings falls back to, and whose
    patterns refuse what Settings refuses."""
    import re

    from stockplan.notices.letterhead import DEFAULT_CONTACT_LINE, DEFAULT_SENDER_NAME

    parameters = source["Parameters"]
    assert parameters["SenderName"]["Default"] == DEFAULT_SENDER_NAME
    assert parameters["ContactLine"]["Default"] == DEFAULT_CONTACT_LINE
    assert parameters["ReplyToEmail"]["Default"] == ""
    name = re.compile(parameters["SenderName"]["AllowedPattern"])
    assert name.fullmatch(DEFAULT_SENDER_NAME)
    for bad in ("A <b@c.example>", "A\r\nBcc: x", "x" * 79):
        assert not name.fullmatch(bad), bad
    reply = re.compile(parameters["ReplyToEmail"]["AllowedPattern"])
    assert reply.fullmatch("") and reply.fullmatch("equity@ctc.example.com")
    assert not reply.fullmatch("not an address")
    assert re.compile(parameters["ContactLine"]["AllowedPattern"]).fullmatch(DEFAULT_CONTACT_LINE)
    for function in FUNCTION_IDS:
        variables = translated["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables["SENDER_NAME"] == {"Ref": "SenderName"}
        assert variables["CONTACT_LINE"] == {"Ref": "ContactLine"}
        assert variables["REPLY_TO_EMAIL"] == {
            "Fn::If": ["HasReplyTo", {"Ref": "ReplyToEmail"}, {"Ref": "AdminEmail"}]
        }


def test_access_log_bucket_is_private_encrypted_and_tls_only(translated: dict[str, Any]) -> None:
    bucket = translated["Resources"]["AccessLogBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    policy = translated["Resources"]["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]
    assert _tls_only(policy)


def test_table_has_pitr_and_sse_and_no_stream(translated: dict[str, Any]) -> None:
    table = translated["Resources"]["DataTable"]
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    index, messages = props["GlobalSecondaryIndexes"]
    assert index["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    # Bounces find their notice by the message id SES gave it.
    assert messages["KeySchema"] == [{"AttributeName": "message_id", "KeyType": "HASH"}]
    assert messages["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert types == {"PK": "S", "SK": "S", "GSI1PK": "S", "GSI1SK": "S", "message_id": "S"}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["SSESpecification"]["SSEType"] == "KMS"
    # No function reads a stream (the embedded AWS enables its own).
    assert "StreamSpecification" not in props
    assert table["DeletionPolicy"] == "Retain"


def test_queues_are_encrypted_keep_messages_14_days_and_alarm(translated: dict[str, Any]) -> None:
    queues = _of_type(translated, "AWS::SQS::Queue")
    assert set(queues) == {
        "FeedFailureQueue",
        "NoticeDeadLetterQueue",
        "ScheduleDeadLetterQueue",
        "NoticeFeedbackFailureQueue",
        "ChunkQueue",
        "ChunkDeadLetterQueue",
    }
    for queue in queues.values():
        props = queue["Properties"]
        assert props["MessageRetentionPeriod"] == 1209600
        assert props.get("KmsMasterKeyId") or props.get("SqsManagedSseEnabled")
    alarmed = {}
    for logical_id, alarm in _of_type(translated, "AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        if props.get("Namespace") != "AWS/SQS":
            continue
        (dimension,) = props["Dimensions"]
        if dimension["Value"]["Fn::GetAtt"][0] == "ChunkDeadLetterQueue":
            # Consumed by the ChunkFunction: alarmed on its age (see the chunk test).
            assert props["MetricName"] == "ApproximateAgeOfOldestMessage"
        else:
            assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
            assert props["Threshold"] == 1
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        (dimension,) = props["Dimensions"]
        alarmed[dimension["Value"]["Fn::GetAtt"][0]] = logical_id
    assert alarmed == {
        "FeedFailureQueue": "FeedFailureAlarm",
        "NoticeDeadLetterQueue": "NoticeDeadLetterAlarm",
        "ScheduleDeadLetterQueue": "ScheduleDeadLetterAlarm",
        "NoticeFeedbackFailureQueue": "NoticeFeedbackFailureAlarm",
        "ChunkDeadLetterQueue": "ChunkDeadLetterAlarm",
    }
    assert translated["Resources"]["AlarmTopic"]["Properties"]["KmsMasterKeyId"]
    assert translated["Resources"]["NoticeFeedbackTopic"]["Properties"]["KmsMasterKeyId"]


def _alarms(translated: dict[str, Any], namespace: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: alarm["Properties"]
        for logical_id, alarm in _of_type(translated, "AWS::CloudWatch::Alarm").items()
        if alarm["Properties"]["Namespace"] == namespace
    }


def test_every_function_alarms_on_its_errors_and_on_its_throttles(
    translated: dict[str, Any],
) -> None:
    watched = {}
    for logical_id, props in _alarms(translated, "AWS/Lambda").items():
        (dimension,) = props["Dimensions"]
        assert dimension["Name"] == "FunctionName"
        watched[(dimension["Value"]["Ref"], props["MetricName"])] = logical_id
        assert props["Statistic"] == "Sum"
        assert (props["Threshold"], props["ComparisonOperator"]) == (
            1,
            "GreaterThanOrEqualToThreshold",
        )
        # No invocation, no error: missing data is fine.
        assert props["TreatMissingData"] == "notBreaching"
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    expected = {(f, m) for f in FUNCTION_IDS for m in ("Errors", "Throttles")}
    assert set(watched) == expected
    assert set(_of_type(translated, "AWS::Lambda::Function")) == set(FUNCTION_IDS)


def _custom_alarm(translated: dict[str, Any], source: dict[str, Any], metric: str) -> Any:
    """The alarm on one of the handlers' own metrics, in the namespace and with the
    service dimension Powertools publishes them under."""
    from stockplan import metrics

    env = source["Globals"]["Function"]["Environment"]["Variables"]
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == metrics.NAMESPACE
    assert env["POWERTOOLS_SERVICE_NAME"] == metrics.SERVICE
    (props,) = [
        p for p in _alarms(translated, metrics.NAMESPACE).values() if p["MetricName"] == metric
    ]
    assert props["Dimensions"] == [{"Name": "service", "Value": metrics.SERVICE}]
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    return props


def test_the_daily_job_heartbeat_alarms_when_no_run_completed_for_26_hours(
    translated: dict[str, Any], source: dict[str, Any]
) -> None:
    from stockplan.metrics import DAILY_JOB_COMPLETED

    props = _custom_alarm(translated, source, DAILY_JOB_COMPLETED)
    assert props["Statistic"] == "Sum"
    assert props["Period"] * props["EvaluationPeriods"] == 26 * 3600
    # Every period of the 26 hours must lack a completed run (M of N = N of N).
    assert props["DatapointsToAlarm"] == props["EvaluationPeriods"]
    assert (props["Threshold"], props["ComparisonOperator"]) == (1, "LessThanThreshold")
    # A job that never starts publishes nothing: missing data is the alarm.
    assert props["TreatMissingData"] == "breaching"
    # CloudWatch: at most 7 days of evaluation, and periods of an hour or more beyond one.
    assert props["Period"] >= 3600 and props["Period"] * props["EvaluationPeriods"] <= 604_800


def test_the_age_of_the_oldest_pending_notice_alarms_past_an_hour(
    translated: dict[str, Any], source: dict[str, Any]
) -> None:
    from stockplan.metrics import OLDEST_PENDING_NOTICE_AGE

    props = _custom_alarm(translated, source, OLDEST_PENDING_NOTICE_AGE)
    assert props["Statistic"] == "Maximum"
    assert (props["Threshold"], props["ComparisonOperator"]) == (3600, "GreaterThanThreshold")
    # The sweep publishes every 15 minutes: silence for the alarm's hour is a fault too.
    assert props["TreatMissingData"] == "breaching"
    assert props["Period"] * props["EvaluationPeriods"] == 3600
    schedule = source["Resources"]["NoticeFunction"]["Properties"]["Events"]["RetrySweep"]
    assert schedule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"


def test_every_function_has_a_log_group_with_retention(translated: dict[str, Any]) -> None:
    groups = {}
    for group in _of_type(translated, "AWS::Logs::LogGroup").values():
        props = group["Properties"]
        match = re.fullmatch(r"/aws/lambda/\$\{(\w+)\}", props["LogGroupName"]["Fn::Sub"])
        assert match, props["LogGroupName"]
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert props["KmsKeyId"]
        groups[match.group(1)] = props
    assert set(groups) == set(_of_type(translated, "AWS::Lambda::Function"))


def test_data_key_rotates(translated: dict[str, Any]) -> None:
    assert translated["Resources"]["DataKey"]["Properties"]["EnableKeyRotation"] is True


def test_services_may_use_the_data_key_only_for_this_stacks_sources_and_resources(
    translated: dict[str, Any],
) -> None:
    """Every statement of the key policy that lets an AWS service use the key binds it
    to where the request comes from (aws:SourceArn) or what it encrypts
    (kms:EncryptionContext), so no other account's resource can use the key through
    the service (the confused deputy)."""
    policy = translated["Resources"]["DataKey"]["Properties"]["KeyPolicy"]
    services = {}
    for statement in _listify(policy["Statement"]):
        principal = statement["Principal"]
        if statement["Effect"] != "Allow" or "Service" not in principal:
            continue
        keys = {key for block in statement.get("Condition", {}).values() for key in block}
        bound = {k for k in keys if k == "aws:SourceArn" or k.startswith("kms:EncryptionContext:")}
        assert bound, f"{statement['Sid']}: {principal['Service']} may use the key unconditioned"
        for key in keys:
            for block in statement["Condition"].values():
                value = block.get(key)
                if value is not None:
                    text = json.dumps(value)
                    assert "${AWS::AccountId}" in text or "AWS::AccountId" in text, (key, text)
        services[statement["Sid"]] = keys
    assert services == {
        "CloudWatchLogsEncryptsLambdaLogs": {"kms:EncryptionContext:aws:logs:arn"},
        "SesPublishesNoticeFeedbackToEncryptedTopic": {
            "aws:SourceAccount",
            "aws:SourceArn",
            "kms:EncryptionContext:aws:sns:topicArn",
        },
        "SnsParksUndeliverableFeedbackInEncryptedQueue": {
            "aws:SourceAccount",
            "aws:SourceArn",
            "kms:EncryptionContext:aws:sqs:arn",
        },
        "CloudWatchAlarmsPublishToEncryptedTopic": {
            "aws:SourceAccount",
            "aws:SourceArn",
            "kms:EncryptionContext:aws:sns:topicArn",
        },
    }


# ------------------------------------------------------------ code and tools


def test_code_paths_point_into_the_repository(source: dict[str, Any]) -> None:
    layer = source["Resources"]["SharedLayer"]
    assert layer["Properties"]["ContentUri"] == "../shared/"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert (TEMPLATE.parent / "../shared/requirements.txt").resolve().is_file()
    for logical_id in FUNCTION_IDS:
        uri = source["Resources"][logical_id]["Properties"]["CodeUri"]
        assert uri.startswith("../functions/") and uri.endswith("/"), uri


def test_the_layer_build_ships_bytecode_compiled_by_the_functions_python(
    source: dict[str, Any],
) -> None:
    # Lambda's file system is read-only: a layer without bytecode is compiled again
    # on every cold start (sam's own python builder unpacks wheels uncompiled).
    makefile = (ROOT / "shared" / "Makefile").read_text(encoding="utf-8")
    runtime = source["Resources"]["SharedLayer"]["Properties"]["CompatibleRuntimes"][0]
    version = runtime.removeprefix("python")
    assert re.search(r"^build-SharedLayer:", makefile, re.M)
    assert re.search(rf"^LAYER_PYTHON \?= python{re.escape(version)}$", makefile, re.M)
    assert re.search(rf"^LAYER_PYTHON_VERSION \?= {re.escape(version)}$", makefile, re.M)
    assert re.search(r"-m compileall .*--invalidation-mode unchecked-hash", makefile)
    architecture = source["Resources"]["SharedLayer"]["Metadata"]["BuildArchitecture"]
    assert architecture == "arm64" and "manylinux2014_aarch64" in makefile
    assert "--no-deps" in makefile


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if requirement:
            name, _, version = requirement.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


# What the python3.12 runtime brings: the AWS SDK and its dependencies.
RUNTIME_PACKAGES = {"boto3", "botocore", "s3transfer", "urllib3", "jmespath", "python-dateutil"}


def test_the_layer_pins_what_the_tests_ran() -> None:
    layer = _pins(ROOT / "shared" / "requirements.txt")
    locked = _pins(ROOT / "requirements.lock")
    assert layer, "shared/requirements.txt lists no package"
    different = {
        name: (pin, locked.get(name)) for name, pin in layer.items() if locked.get(name) != pin
    }
    assert not different, f"layer pin differs from requirements.lock (layer, lock): {different}"
    # A botocore in the layer would shadow the runtime's and break its pairing with boto3.
    assert not {"boto3", "botocore", "s3transfer"} & set(layer)


def test_the_layer_holds_every_dependency_of_its_packages() -> None:
    # The layer is installed with --no-deps, so its list must be closed.
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    layer = _pins(ROOT / "shared" / "requirements.txt")
    missing = set()
    for name in layer:
        for text in requires(name) or []:
            requirement = Requirement(text)
            environment = {"python_version": "3.12", "python_full_version": "3.12.0", "extra": ""}
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            needed = canonicalize_name(requirement.name)
            if needed not in layer and needed not in RUNTIME_PACKAGES:
                missing.add(f"{needed} (for {name})")
    assert not missing, f"shared/requirements.txt lacks: {sorted(missing)}"


def test_the_code_imports_only_the_layer_the_runtime_and_the_standard_library() -> None:
    import ast
    from importlib.metadata import packages_distributions

    layer = _pins(ROOT / "shared" / "requirements.txt")
    distributions = packages_distributions()
    outside = set()
    for path in [
        *(ROOT / "shared" / "stockplan").rglob("*.py"),
        *(ROOT / "functions").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == "stockplan":
                    continue
                names = {canonicalize_name(d) for d in distributions.get(top, [top])}
                if not names & (set(layer) | RUNTIME_PACKAGES):
                    outside.add(f"{top} ({path.relative_to(ROOT)})")
    assert not outside, f"imported but neither in the layer nor the runtime: {sorted(outside)}"


@pytest.mark.parametrize("logical_id", FUNCTION_IDS)
def test_handler_module_exists(source: dict[str, Any], logical_id: str) -> None:
    props = source["Resources"][logical_id]["Properties"]
    module, _, attribute = props["Handler"].rpartition(".")
    path = (TEMPLATE.parent / props["CodeUri"] / f"{module}.py").resolve()
    if not path.is_file() and not os.environ.get("CI"):
        pytest.skip(f"{path.relative_to(ROOT)} not written yet (this fails under CI)")
    assert path.is_file(), f"{logical_id}: {path} is missing"
    assert re.search(rf"^def {attribute}\(", path.read_text(encoding="utf-8"), re.M), path


_CFN_LINT = (
    "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())"
)


def test_cfn_lint_is_clean() -> None:
    pytest.importorskip("cfnlint")
    result = subprocess.run(
        # cfnlint has no __main__; this is what the cfn-lint console script runs.
        [sys.executable, "-c", _CFN_LINT, "--", str(TEMPLATE.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_samconfig_is_valid_and_points_at_the_template() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["version"] == 0.1
    for env, stage in (("default", "dev"), ("prod", "prod")):
        assert config[env]["global"]["parameters"]["stack_name"] == f"stockplan-{stage}"
        build = config[env]["build"]["parameters"]
        assert (ROOT / build["template_file"]).resolve() == TEMPLATE
        deploy = config[env]["deploy"]["parameters"]
        # deploy must take the built template (.aws-sam/build), not the source.
        assert "template_file" not in deploy
        assert deploy["capabilities"] == "CAPABILITY_IAM"
        assert deploy["confirm_changeset"] is True
        overrides = dict(item.split("=", 1) for item in deploy["parameter_overrides"].split())
        assert overrides["Stage"] == stage
        assert {"SenderEmail", "AdminEmail"} <= set(overrides)


def test_checkov_lock_pins_checkov() -> None:
    lines = (ROOT / "requirements-checkov.lock").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==", 1) for line in lines if "==" in line)
    assert "checkov" in pins
    assert all("==" in line for line in lines if line and not line.startswith("#"))


# ------------------------------------------------------------ sample events


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_s3_sample_event_matches_the_feed_trigger(kind: str) -> None:
    event = json.loads((EVENTS / f"s3_put_{kind}.json").read_text(encoding="utf-8"))
    (record,) = event["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventVersion"] == "2.1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["eventTime"])
    key = record["s3"]["object"]["key"]
    assert key.startswith(f"incoming/{kind}/") and key.endswith(".csv")
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{record['s3']['bucket']['name']}"


def test_every_sample_event_is_covered() -> None:
    names = {p.name for p in EVENTS.glob("*.json")}
    expected = {f"s3_put_{k}.json" for k in FEED_KINDS}
    expected |= {"schedule_daily.json", "schedule_notices.json", "sns_ses_bounce.json"}
    assert names == expected


# --------------------------------------------------- stockplan_cli.infra_spec


def test_infra_spec_reads_the_same_template(translated: dict[str, Any]) -> None:
    from stockplan_cli import infra_spec

    assert infra_spec.TEMPLATE_PATH == TEMPLATE
    definition = infra_spec.table_definition()
    table = translated["Resources"]["DataTable"]["Properties"]
    for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"):
        assert definition[key] == table[key]
    assert "StreamSpecification" not in definition
    assert infra_spec.feed_key_filter() == ("incoming/", "")
    assert set(infra_spec.global_environment()) == GLOBAL_ENVIRONMENT
    specs = infra_spec.functions()
    assert set(specs) == set(FUNCTION_IDS)
    assert specs["FeedFunction"].code_dir == ROOT / "functions" / "feed"
    assert (specs["FeedFunction"].module, specs["FeedFunction"].handler) == (
        "feed_handler",
        "lambda_handler",
    )
    assert specs["DailyFunction"].timeout == 900
    assert specs["NoticeFunction"].event_types == ("ScheduleV2",)
    with pytest.raises(FileNotFoundError):
        infra_spec.load_template(ROOT / "no-such-template.yaml")
