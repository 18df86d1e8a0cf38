"""The one reader of the SAM template, so local runs build what AWS deploys.

The SAM template (``infra/template.yaml``) is the one source of truth for the
table's keys and indexes, the feed trigger's key filter, and which handler each
function runs. The embedded AWS, the local runs, the benchmarks and the tests read them
from here instead of repeating them (or parsing the file themselves).

This is development tooling: it reads the template (the source tree's, or the copy an
installed package carries, see `project_root`) with the SAM translator's parser, so it
lives here and not in the Lambda layer (`shared/`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# An installed package carries its own copy of the template, the handlers and the demo
# scenario (setup.py copies them in at build time); a source checkout has them at its root.
BUNDLED = Path(__file__).resolve().parent / "project"


def project_root() -> Path:
    """The folder holding infra/template.yaml, the functions/ it names and scenarios/:
    the package's bundled copy when installed, else the source checkout above here."""
    if (BUNDLED / "infra" / "template.yaml").is_file():
        return BUNDLED
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "infra" / "template.yaml").is_file():
            return parent
    raise FileNotFoundError(
        f"infra/template.yaml is neither in {BUNDLED} nor above {here}: reinstall stockplan"
    )


TEMPLATE_PATH = project_root() / "infra" / "template.yaml"

TABLE_ID = "DataTable"
BUCKET_ID = "DataBucket"
FEED_FUNCTION_ID = "FeedFunction"
DAILY_FUNCTION_ID = "DailyFunction"
NOTICE_FUNCTION_ID = "NoticeFunction"


@dataclass(frozen=True)
class FunctionSpec:
    """One AWS::Serverless::Function as the template declares it."""

    logical_id: str
    code_dir: Path  # absolute
    module: str  # e.g. "feed_handler"
    handler: str  # attribute in module, e.g. "lambda_handler"
    timeout: int
    event_types: tuple[str, ...]


# Parsed templates by (path, modification time): a fresh embedded stack per test would
# otherwise spend a third of its set-up parsing YAML.
_PARSED: dict[tuple[Path, int], dict[str, Any]] = {}


def load_template(path: Path | None = None) -> dict[str, Any]:
    """The template as plain data (a copy the caller may change); short-form tags
    become their long form: ``!Ref X`` is ``{"Ref": "X"}``, ``!Sub s`` is
    ``{"Fn::Sub": s}``, ``!GetAtt A.B`` is ``{"Fn::GetAtt": ["A", "B"]}``, as the SAM
    translator reads them."""
    from samtranslator.yaml_helper import yaml_parse

    source = (path or TEMPLATE_PATH).resolve()
    if not source.is_file():
        raise FileNotFoundError(f"SAM template not found at {source} (run from a source checkout)")
    stamp = (source, source.stat().st_mtime_ns)
    if stamp not in _PARSED:
        data = yaml_parse(source.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{source} is not a CloudFormation template")
        _PARSED[stamp] = data
    fresh: dict[str, Any] = copy.deepcopy(_PARSED[stamp])
    return fresh


def _resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = template["Resources"][logical_id]
    return resource


def table_definition(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments for DynamoDB ``create_table`` (without ``TableName``).

    Keys, attribute definitions, indexes and billing mode, exactly as deployed;
    encryption, recovery and deletion settings are left out (they name a KMS key or
    depend on the stage), and so is the time-to-live (a separate call). The table has
    no stream: no function reads one.
    """
    props = _resource(template or load_template(), TABLE_ID)["Properties"]
    wanted = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {key: props[key] for key in wanted if key in props}


def feed_key_filter(template: dict[str, Any] | None = None) -> tuple[str, str]:
    """``(prefix, suffix)`` that an S3 key must have to trigger the feed function."""
    function = _resource(template or load_template(), FEED_FUNCTION_ID)
    for event in function["Properties"]["Events"].values():
        if event["Type"] == "S3":
            rules = {r["Name"]: r["Value"] for r in event["Properties"]["Filter"]["S3Key"]["Rules"]}
            return rules.get("prefix", ""), rules.get("suffix", "")
    raise ValueError(f"{FEED_FUNCTION_ID} has no S3 event")


def global_environment(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Globals environment variables (values may be intrinsic functions)."""
    tpl = template or load_template()
    variables: dict[str, Any] = tpl["Globals"]["Function"]["Environment"]["Variables"]
    return dict(variables)


def functions(template: dict[str, Any] | None = None) -> dict[str, FunctionSpec]:
    """Every AWS::Serverless::Function, by logical ID."""
    tpl = template or load_template()
    base = TEMPLATE_PATH.parent  # CodeUri is relative to the template's folder
    default_timeout = int(tpl.get("Globals", {}).get("Function", {}).get("Timeout", 3))
    specs: dict[str, FunctionSpec] = {}
    for logical_id, resource in tpl["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        module, _, attribute = str(props["Handler"]).rpartition(".")
        events = props.get("Events", {})
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_dir=(base / str(props["CodeUri"])).resolve(),
            module=module,
            handler=attribute,
            timeout=int(props.get("Timeout", default_timeout)),
            event_types=tuple(str(e["Type"]) for e in events.values()),
        )
    return specs
