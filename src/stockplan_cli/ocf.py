"""The plans' state as an Open Cap Format (OCF 1.2.0) bundle.

`stockplan export --ocf OUT_DIR` (a running stack) and the `ocf/` folder of every
`stockplan simulate` (docs/interfaces.md §3) write it; it is checked against the official
schemas (a copy in `ocf_schemas/`, with their licence) before anything is written.

The bundle: `Manifest.ocf.json` (OCF_MANIFEST_FILE, holding the issuer) and the files it
names with their MD5: `Stakeholders`, `StockClasses`, `StockPlans`, `VestingTerms`,
`Transactions`, and the empty `StockLegendTemplates` and `Valuations` the manifest
requires.

What maps to what:

- ISSUER: CTC Communications Group, Inc. (the plans' title), country US.
- STOCK_CLASS ``COMMON``: the Common Stock, par value $.01 (1998 Exhibit A "Stock").
- STOCK_PLAN ``incentive-1998`` (initial_shares_reserved 1,500,000, 1998 §4.a) and
  ``directors-1999`` (200,000, Directors §4(a); board approval 1999-07-27, §3), both
  RETURN_TO_POOL: shares of awards that end unexercised or forfeited go back (1998
  §4.a(i)-(iii), Directors §4(a)).
- TX_STOCK_PLAN_POOL_ADJUSTMENT: Amendment No. 1, approved by the stockholders on
  1999-09-16 (1,500,000 -> 2,250,000), and each pool restated by a split
  (2,250,000 -> 3,375,000 and 200,000 -> 300,000 at the 3-for-2 split of 2005-04-15).
- TX_STOCK_CLASS_SPLIT: each split, its ratio as a fraction (1.5 = 3/2).
- STAKEHOLDER per participant: name, INDIVIDUAL, issuer_assigned_id, relationship
  (EMPLOYEE, CONSULTANT, BOARD_MEMBER; EX_EMPLOYEE / EX_CONSULTANT once service ended,
  OTHER for a former director), contact emails (work BUSINESS, personal PERSONAL,
  estate OTHER).
- VESTING_TERMS per award that vests in tranches: one absolute-date condition per
  tranche (VESTING_SCHEDULE_ABSOLUTE, quantity), chained in date order. An award without
  tranches vests at grant and names no vesting terms.
- TX_EQUITY_COMPENSATION_ISSUANCE per award: options OPTION_ISO / OPTION_NSO (formula
  and discretionary director options are NSOs; an ISO award wholly over the $100,000
  limit of Code §422(d) is an NSO, and one partly over it two securities, its ISO part
  and its NSO part `<award_id>-NSO`, stockplan_cli.ocf_iso) with exercise_price, SARs SSAR with
  base_price, the stock awards (restricted, unrestricted, deferred, performance) RSU;
  expiration_date = final exercise date; termination_exercise_windows from the plan's
  rules (death 1 year, cause 0 days under the 1998 plan, any other 3 months).
  Deferred Stock Awards of directors' fees (Directors §7) are RSU issuances of the
  Directors plan too (security ``DS-<participant>-<fee type>-<fee date>``).
- TX_EQUITY_COMPENSATION_EXERCISE per applied exercises row (shares exercised; shares
  withheld and delivered in consideration_text, the company's exercise_id in comments).
- TX_EQUITY_COMPENSATION_RELEASE per delivery of a stock award as it vests (a
  performance award: as the Committee certifies it, 1998 §6.a.(9)), and per
  issue of deferred stock (release_price: the Fair Market Value that day).
- TX_EQUITY_COMPENSATION_CANCELLATION for the shares forfeited (on the day service
  ended) and for the shares expired (the day after the exercise deadline), told apart
  by reason_text ("Forfeited: ...", "Expired: ...").
- TX_VESTING_ACCELERATION: a covered transaction's full vesting (1998 §7.a,
  Directors §6(j)).

Every quantity is in the award's current terms, as report.json states them: an award
outstanding at a split was restated by it (1998 §7.b.(1), Directors §4(c)), so its
issuance, exercises, deliveries, forfeitures and expiries before the split are given
restated (each exercise by the same cumulative rounding the split applied), and its
comments say so; awards closed before a split keep their figures. So the bundle's totals
per plan are report.json's (tests/e2e/test_ocf_export.py).

Not mapped, and why:

- Issuer ``formation_date`` (required): the plans do not state the date of
  incorporation; `--formation-date` gives it, else the 1998 plan's effective date stands
  in and the issuer's comments say so. ``country_subdivision_of_formation``,
  ``tax_ids``, ``address``, ``phone``, ``email``: not in the plans or the system.
- StockClass ``initial_shares_authorized`` is "NOT APPLICABLE" and ``votes_per_share``
  "1", ``seniority`` "1": the charter is not in the system (the class's comments say
  these stand in).
- ``board_approval_date`` / ``stockholder_approval_date`` of the 1998 plan and of each
  grant: not recorded (the feeds carry the grant date only).
- ``security_law_exemptions`` (required on issuances): the exemption relied on is not
  recorded; the list is empty.
- ``resulting_security_ids`` of exercises and releases is empty: the shares delivered
  are not issued as TX_STOCK_ISSUANCE stock securities. The system's record of a share
  ends at its delivery (the stock ledger is the transfer agent's), and a stock security
  would be restated a second time by the TX_STOCK_CLASS_SPLIT.
- The restatement of each outstanding award at a split: OCF 1.2.0 has no adjustment of
  an equity compensation security (only cancel-and-reissue, which would count every
  restated award twice); see "current terms" above.
- Expiration: OCF 1.2.0 has no expiration transaction; an expiry is a cancellation whose
  reason_text begins "Expired".
- The covered transaction itself (a merger or sale): no OCF 1.2.0 object; its effects
  are there (acceleration, the options ending that day and expiring the next).
- TX_STOCK_PLAN_RETURN_TO_POOL: not emitted; RETURN_TO_POOL on the plans says what
  happens to cancelled shares. Shares withheld on exercise also return to the pool
  (1998 §4.a(iv)): only the exercise's consideration_text says how many.
- Termination windows: the 1998 cause window ends the day *before* termination (OCF can
  say 0 days, not -1); a death during an open window restarting it (1998 §6.a.(5)(A))
  and the cap at the final exercise date are not expressible (expiration_date holds the
  cap). Administrator extensions of a deadline show only in the cancellation's date.
- Restricted stock as OCF's RSA (TX_STOCK_ISSUANCE with issuance_type RSA): the system
  delivers restricted stock as it vests, as an RSU settles, and records no share price
  or legend; so RSU.
- Whether a SAR settles in stock or cash (SSAR vs CSAR) is not recorded: SSAR.
- TX_VESTING_START / TX_VESTING_EVENT: not needed for absolute-date schedules; vesting
  stopped by the end of service shows as the forfeiture.
- Valuations: the Fair Market Value is a daily closing price (Directors §6(c)), not a
  valuation (409A) report; the valuations file is empty. Stock legends, financings,
  documents: none in the system.
- Elections, fees paid in cash, meetings, notices and rejected rows are not cap table
  data and are left out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from stockplan.data import records as rec
from stockplan.domain.fmv import fair_market_value
from stockplan.domain.history import AwardEvent, EventKind, replay
from stockplan.domain.iso_limit import IsoSplit, iso_and_nso, iso_splits
from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredStatus,
    DeferredStockAward,
    PlanCode,
    Role,
    TerminationReason,
)
from stockplan.domain.plans import (
    COMPANY_NAME,
    PAR_VALUE,
    SHIPPED_ACTIONS,
    plan_rules,
    plan_terminated_on,
    reserve_steps,
)
from stockplan.domain.pools import Split, reserved_on
from stockplan.domain.splits import split_shares
from stockplan.notices.model import covered_section, split_section
from stockplan.service.report import ExerciseRecord, State
from stockplan_cli.ocf_iso import iso_parts, nso_security, part_tranches, split_transactions

OCF_VERSION = "1.2.0"
SCHEMA_BASE = f"https://schema.opencaptablecoalition.com/v/{OCF_VERSION}/"
SCHEMAS = Path(__file__).resolve().parent / "ocf_schemas"

ISSUER_ID = "ctc-communications-group"
ISSUER_NAME = COMPANY_NAME  # the plan data (1998 Exhibit A "Company")
STOCK_CLASS_ID = "COMMON"
CURRENCY = "USD"
MANIFEST = "Manifest.ocf.json"

# Manifest key -> (file name, file_type, schema of the file).
FILES = {
    "stakeholders_files": ("Stakeholders.ocf.json", "OCF_STAKEHOLDERS_FILE", "StakeholdersFile"),
    "stock_classes_files": ("StockClasses.ocf.json", "OCF_STOCK_CLASSES_FILE", "StockClassesFile"),
    "stock_plans_files": ("StockPlans.ocf.json", "OCF_STOCK_PLANS_FILE", "StockPlansFile"),
    "vesting_terms_files": ("VestingTerms.ocf.json", "OCF_VESTING_TERMS_FILE", "VestingTermsFile"),
    "transactions_files": ("Transactions.ocf.json", "OCF_TRANSACTIONS_FILE", "TransactionsFile"),
    "stock_legend_templates_files": (
        "StockLegendTemplates.ocf.json",
        "OCF_STOCK_LEGEND_TEMPLATES_FILE",
        "StockLegendTemplatesFile",
    ),
    "valuations_files": ("Valuations.ocf.json", "OCF_VALUATIONS_FILE", "ValuationsFile"),
}
SCHEMA_OF_FILE_TYPE = {file_type: schema for _name, file_type, schema in FILES.values()} | {
    "OCF_MANIFEST_FILE": "OCFManifestFile"
}

# The Directors Plan became effective when the Board approved it (Directors §3).
BOARD_APPROVALS = {PlanCode.DIRECTORS_1999: date(1999, 7, 27)}
# Unvested shares are forfeited on the termination date (docs/plan-rules.md "Vesting and
# termination").
FORFEITURE_SECTIONS = {
    PlanCode.INCENTIVE_1998: "1998 §6.a.(5)",
    PlanCode.DIRECTORS_1999: "Directors §6(e)",
}
AWARD_TYPE_NAMES = {
    AwardType.NSO: "non-qualified stock option",
    AwardType.ISO: "incentive stock option",
    AwardType.SAR: "stock appreciation right",
    AwardType.RESTRICTED_STOCK: "restricted stock",
    AwardType.UNRESTRICTED_STOCK: "unrestricted stock",
    AwardType.DEFERRED_STOCK: "deferred stock",
    AwardType.PERFORMANCE: "performance award",
    AwardType.DISCRETIONARY_OPTION: "discretionary option (Directors §6(b))",
    AwardType.FORMULA_OPTION: "formula option (Directors §6(a))",
}
# Sorting transactions of one day: the order the system applies them.
TX_ORDER = {
    "TX_STOCK_PLAN_POOL_ADJUSTMENT": 0,
    "TX_EQUITY_COMPENSATION_ISSUANCE": 1,
    "TX_VESTING_ACCELERATION": 2,
    "TX_EQUITY_COMPENSATION_EXERCISE": 3,
    "TX_EQUITY_COMPENSATION_RELEASE": 3,
    "TX_EQUITY_COMPENSATION_CANCELLATION": 4,
    "TX_STOCK_CLASS_SPLIT": 5,
}


class OcfInvalid(ValueError):
    """The bundle does not validate against the OCF schemas."""


@dataclass
class Export:
    """The documents of a bundle, by file name, and what could not be reconciled."""

    documents: dict[str, dict[str, Any]]
    warnings: list[str]
    paths: list[Path] = field(default_factory=list)


# --- small helpers ------------------------------------------------------------------------


def _num(value: int | Decimal) -> str:
    """OCF Numeric: a plain decimal string, at most 10 places."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def _money(value: Decimal) -> dict[str, str]:
    return {"amount": _num(value), "currency": CURRENCY}


def _shares(value: int) -> str:
    return f"{value:,}"


def _plan_id(plan: PlanCode) -> str:
    return plan.value


def deferred_security_id(d: DeferredStockAward) -> str:
    return f"DS-{d.participant_id}-{d.fee_type.value}-{d.fee_date.isoformat()}"


# --- the bundle ---------------------------------------------------------------------------


def bundle(
    state: State,
    as_of: date,
    *,
    generated_at: datetime,
    formation_date: date | None = None,
) -> Export:
    """Every document of the bundle (the manifest last), not yet written."""
    warnings: list[str] = []
    splits = state.splits
    parted: set[str] = set()
    transactions = [
        *_plan_transactions(state, splits, as_of),
        *_award_transactions(state, as_of, warnings, parted),
        *_deferred_transactions(state),
    ]
    transactions.sort(key=lambda t: (t["date"], TX_ORDER[t["object_type"]], t["id"]))
    later = [t for t in transactions if t["date"] > as_of.isoformat()]
    if later:
        warnings.append(
            f"{len(later)} transactions are dated after as_of {as_of.isoformat()} (the first "
            f"{later[0]['date']}): the bundle holds the state as stored, not as it was then."
        )
    documents: dict[str, dict[str, Any]] = {}
    iso = iso_splits(state.awards)
    contents = {
        "stakeholders_files": [_stakeholder(state, pid) for pid in _stakeholder_ids(state)],
        "stock_classes_files": [_stock_class()],
        "stock_plans_files": [_stock_plan(plan, state) for plan in PlanCode],
        "vesting_terms_files": [
            t for a in state.awards for t in _vesting_of(state, a, iso, parted)
        ],
        "transactions_files": transactions,
        "stock_legend_templates_files": [],
        "valuations_files": [],
    }
    for key, (name, file_type, _schema) in FILES.items():
        documents[name] = {"file_type": file_type, "items": contents[key]}
    manifest: dict[str, Any] = {
        "ocf_version": OCF_VERSION,
        "file_type": "OCF_MANIFEST_FILE",
        "issuer": _issuer(formation_date),
        "as_of": as_of.isoformat(),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "comments": [
            f"Generated by stockplan for {ISSUER_NAME} from the state of the "
            f"{plan_rules(PlanCode.INCENTIVE_1998).title} and the "
            f"{plan_rules(PlanCode.DIRECTORS_1999).title}.",
            "Quantities and prices are in each award's current terms: an award outstanding "
            "at a split is given restated by it, as the plans restate it; awards closed "
            "before a split keep their figures.",
            "Expirations are TX_EQUITY_COMPENSATION_CANCELLATION items whose reason_text "
            "begins 'Expired'; forfeitures begin 'Forfeited'.",
            *warnings,
        ],
    }
    for key, (name, _file_type, _schema) in FILES.items():
        manifest[key] = [{"filepath": f"./{name}", "md5": "0" * 32}]
    documents[MANIFEST] = manifest
    return Export(documents, warnings)


def serialise(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_bundle(
    out_dir: Path,
    state: State,
    as_of: date,
    *,
    generated_at: datetime,
    formation_date: date | None = None,
) -> Export:
    """Write the bundle to `out_dir` after checking every file against the OCF schemas
    (raise OcfInvalid, writing nothing, if one does not validate); `Export.paths` lists
    the files written, the manifest first."""
    export = bundle(state, as_of, generated_at=generated_at, formation_date=formation_date)
    payloads: dict[str, bytes] = {}
    manifest = export.documents[MANIFEST]
    for key, (name, _file_type, _schema) in FILES.items():
        payloads[name] = serialise(export.documents[name])
        manifest[key] = [
            {"filepath": f"./{name}", "md5": hashlib.md5(payloads[name]).hexdigest()}  # noqa: S324 (OCF names MD5)
        ]
    payloads[MANIFEST] = serialise(manifest)
    problems = validate({name: json.loads(data) for name, data in payloads.items()})
    if problems:
        raise OcfInvalid(
            f"the OCF bundle does not validate: {problems[0]} ({len(problems)} in all)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in (MANIFEST, *(n for n, _t, _s in FILES.values())):
        path = out_dir / name
        path.write_bytes(payloads[name])
        export.paths.append(path)
    return export


# --- validation ---------------------------------------------------------------------------


@cache
def registry() -> Any:
    """Every OCF schema, known by its $id: `$ref`s resolve here, nothing is fetched."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted(SCHEMAS.rglob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7))
        )
    return Registry().with_resources(resources)


def schema_uri(file_type: str) -> str:
    return f"{SCHEMA_BASE}files/{SCHEMA_OF_FILE_TYPE[file_type]}.schema.json"


@cache
def _transaction_schemas() -> dict[str, list[str]]:
    """object_type -> the $ids of the TransactionsFile's `oneOf` schemas that accept it."""
    reg = registry()
    listed = reg.contents(schema_uri("OCF_TRANSACTIONS_FILE"))["properties"]["items"]["items"][
        "oneOf"
    ]
    found: dict[str, list[str]] = {}
    for ref in (entry["$ref"] for entry in listed):
        accepted = reg.contents(ref)["properties"]["object_type"]
        for object_type in accepted.get("enum", [accepted.get("const")]):
            found.setdefault(object_type, []).append(ref)
    return found


@cache
def _validator(uri: str) -> Any:
    from jsonschema import Draft7Validator

    reg = registry()
    return Draft7Validator(
        reg.contents(uri), registry=reg, format_checker=Draft7Validator.FORMAT_CHECKER
    )


def validate(documents: dict[str, dict[str, Any]]) -> list[str]:
    """Every schema violation of the documents (file name -> parsed JSON), as text.

    A transactions file is checked as its schema says, item by item: each item must
    match exactly one of the file's `oneOf` object schemas. Only the schemas that accept
    the item's object_type can match, so those are the ones tried (the whole `oneOf`
    costs seconds for a few hundred items; tests validate whole files as well)."""
    problems = []
    for name, document in documents.items():
        file_type = document.get("file_type")
        if file_type not in SCHEMA_OF_FILE_TYPE:
            problems.append(f"{name}: unknown file_type {file_type!r}")
            continue
        checked = document
        items: list[Any] = []
        if file_type == "OCF_TRANSACTIONS_FILE" and isinstance(document.get("items"), list):
            items = document["items"]
            checked = {**document, "items": []}
        for error in _validator(schema_uri(file_type)).iter_errors(checked):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{name} at /{where}: {error.message[:300]}")
        for index, item in enumerate(items):
            kind = item.get("object_type") if isinstance(item, dict) else None
            candidates = _transaction_schemas().get(str(kind), [])
            matching = [uri for uri in candidates if _validator(uri).is_valid(item)]
            if len(matching) == 1:
                continue
            if not candidates:
                problems.append(f"{name} at /items/{index}: no transaction type {kind!r}")
            elif matching:
                problems.append(f"{name} at /items/{index}: matches {len(matching)} schemas")
            else:
                error = next(iter(_validator(candidates[0]).iter_errors(item)))
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"{name} at /items/{index}/{where}: {error.message[:300]}")
    return problems


# --- issuer, stock class, plans, stakeholders ----------------------------------------------


def _issuer(formation_date: date | None) -> dict[str, Any]:
    comments = [
        "The name is the one the plan documents give (CTC Communications Group, Inc. 1998 "
        "Incentive Plan; 1999 Equity Incentive Plan for Non-Employee Directors)."
    ]
    if formation_date is None:
        formation_date = plan_rules(PlanCode.INCENTIVE_1998).effective_date
        comments.append(
            "formation_date is a stand-in: the plans do not state the date of "
            "incorporation, so the 1998 plan's effective date is given; export with "
            "--formation-date to give the real one."
        )
    return {
        "object_type": "ISSUER",
        "id": ISSUER_ID,
        "legal_name": ISSUER_NAME,
        "formation_date": formation_date.isoformat(),
        "country_of_formation": "US",
        "comments": comments,
    }


def _stock_class() -> dict[str, Any]:
    return {
        "object_type": "STOCK_CLASS",
        "id": STOCK_CLASS_ID,
        "name": "Common Stock",
        "class_type": "COMMON",
        "default_id_prefix": "CS-",
        "initial_shares_authorized": "NOT APPLICABLE",
        "votes_per_share": "1",
        "seniority": "1",
        "par_value": _money(PAR_VALUE),
        "comments": [
            "The Stock of both plans: Common Stock of the Company, par value $.01 per share "
            "(1998 Exhibit A; Directors §4(a)).",
            "initial_shares_authorized, votes_per_share and seniority stand in: the "
            "charter is not part of the plans' records.",
        ],
    }


def _stock_plan(plan: PlanCode, state: State) -> dict[str, Any]:
    rules = plan_rules(plan)
    first = rules.reserve_steps[0]
    item: dict[str, Any] = {
        "object_type": "STOCK_PLAN",
        "id": _plan_id(plan),
        "plan_name": rules.title,
        "initial_shares_reserved": _num(first.shares),
        "default_cancellation_behavior": "RETURN_TO_POOL",
        "stock_class_ids": [STOCK_CLASS_ID],
        "comments": [
            f"Plan code {plan.value}; effective {rules.effective_date.isoformat()}.",
            f"Initial reserve: {first.section}. Later reserves are the "
            "TX_STOCK_PLAN_POOL_ADJUSTMENT transactions (amendments and splits).",
            "Shares of awards that end unexercised, are forfeited, or are withheld for the "
            "exercise price or taxes return to the pool.",
        ],
    }
    if plan in BOARD_APPROVALS:
        item["board_approval_date"] = BOARD_APPROVALS[plan].isoformat()
    ended = plan_terminated_on(plan, rec.plan_actions_from(state.pools.get(plan.value)))
    if ended is not None:
        # 1998 §9; Directors §8(f): no further grants; awards already made go on.
        item["comments"].append(
            f"Terminated as to further grants from {ended.effective_date.isoformat()} "
            f"(plan action {ended.request_id}); awards already made go on."
        )
    return item


def _stakeholder_ids(state: State) -> list[str]:
    ids = set(state.people)
    ids |= {a.participant_id for a in state.awards}
    ids |= {d.participant_id for d in state.deferred}
    return sorted(ids)


def _stakeholder(state: State, participant_id: str) -> dict[str, Any]:
    person = state.people.get(participant_id, {})
    role = person.get("role")
    ended = person.get("termination") or person.get("death")
    relationship = {
        Role.EMPLOYEE.value: ("EMPLOYEE", "EX_EMPLOYEE"),
        Role.CONSULTANT.value: ("CONSULTANT", "EX_CONSULTANT"),
        Role.DIRECTOR.value: ("BOARD_MEMBER", "OTHER"),
    }.get(str(role), ("OTHER", "OTHER"))[1 if ended else 0]
    comments = [f"Participant {participant_id}, role {role or 'unknown'}."]
    termination = person.get("termination")
    if termination:
        comments.append(
            f"Service ended {termination['date']} ({TerminationReason(termination['reason'])})."
        )
    death = person.get("death")
    if death:
        comments.append(f"Died {death['date']}.")
    if person.get("ten_percent_holder"):
        comments.append(
            "Owns more than 10% of the voting power (incentive stock options at 110% of "
            "the Fair Market Value, 1998 §6.b.(2))."
        )
    item: dict[str, Any] = {
        "object_type": "STAKEHOLDER",
        "id": participant_id,
        "name": {"legal_name": str(person.get("name") or participant_id)},
        "stakeholder_type": "INDIVIDUAL",
        "issuer_assigned_id": participant_id,
        "current_relationship": relationship,
        "comments": comments,
    }
    emails = [
        {"email_type": kind, "email_address": str(person[key])}
        for key, kind in (
            ("email", "BUSINESS"),
            ("personal_email", "PERSONAL"),
            ("estate_email", "OTHER"),
        )
        if person.get(key)
    ]
    if emails:
        item["contact_info"] = {"emails": emails}
    return item


# --- plan reserves and splits ----------------------------------------------------------------


def _plan_transactions(state: State, splits: list[Split], as_of: date) -> list[dict[str, Any]]:
    found = []
    for plan in PlanCode:
        actions = rec.plan_actions_from(state.pools.get(plan.value))
        # The stockholders' approvals the plan actions record (Amendment No. 1's vote).
        approvals = {
            a.effective_date: a.approved_on
            for a in (*SHIPPED_ACTIONS, *actions)
            if a.plan is plan and a.approved_on is not None
        }
        for step in reserve_steps(plan, actions)[1:]:
            if step.effective > as_of:
                continue
            item: dict[str, Any] = {
                "object_type": "TX_STOCK_PLAN_POOL_ADJUSTMENT",
                "id": f"{plan.value}-reserve-{step.effective.isoformat()}",
                "date": step.effective.isoformat(),
                "stock_plan_id": _plan_id(plan),
                "shares_reserved": _num(reserved_on(plan, step.effective, splits, actions)),
                "comments": [step.section],
            }
            if step.effective in approvals:
                item["stockholder_approval_date"] = approvals[step.effective].isoformat()
            found.append(item)
        for split in splits:
            found.append(
                {
                    "object_type": "TX_STOCK_PLAN_POOL_ADJUSTMENT",
                    "id": f"{plan.value}-split-{split.day.isoformat()}",
                    "date": split.day.isoformat(),
                    "stock_plan_id": _plan_id(plan),
                    "shares_reserved": _num(
                        reserved_on(
                            plan,
                            split.day,
                            splits,
                            rec.plan_actions_from(state.pools.get(plan.value)),
                        )
                    ),
                    "comments": [
                        f"The reserve restated by the split of {split.day.isoformat()} "
                        f"(ratio {_num(split.ratio)}, {split_section(plan)})."
                    ],
                }
            )
    for split in splits:
        ratio = Fraction(split.ratio)
        found.append(
            {
                "object_type": "TX_STOCK_CLASS_SPLIT",
                "id": f"split-{split.day.isoformat()}",
                "date": split.day.isoformat(),
                "stock_class_id": STOCK_CLASS_ID,
                "split_ratio": {
                    "numerator": str(ratio.numerator),
                    "denominator": str(ratio.denominator),
                },
                "comments": [
                    f"{ratio.numerator}-for-{ratio.denominator} split (ratio "
                    f"{_num(split.ratio)}): awards outstanding that day were restated "
                    "(quantities here are already restated)."
                ],
            }
        )
    return found


# --- awards -------------------------------------------------------------------------------


def _restating(state: State, award: Award) -> list[Split]:
    """The splits that restated this award (each restated award records the action)."""
    raw = state.award_items.get(award.award_id, {})
    days = {str(action).split("#")[0] for action in raw.get("actions", []) or []}
    return [s for s in state.splits if s.day.isoformat() in days]


def _compensation_type(award: Award, iso_shares: int) -> str:
    if award.award_type is AwardType.ISO and iso_shares:
        return "OPTION_ISO"
    if award.award_type.is_option:
        return "OPTION_NSO"
    if award.award_type is AwardType.SAR:
        return "SSAR"
    return "RSU"


def _windows(award: Award) -> list[dict[str, Any]]:
    if not award.award_type.requires_exercise:
        return []
    rules = plan_rules(award.plan)
    other = {"period": rules.other_window_months, "period_type": "MONTHS"}
    windows: list[dict[str, Any]] = [
        {"reason": "INVOLUNTARY_DEATH", "period": rules.death_window_years, "period_type": "YEARS"}
    ]
    for reason in (
        "VOLUNTARY_OTHER",
        "VOLUNTARY_GOOD_CAUSE",
        "VOLUNTARY_RETIREMENT",
        "INVOLUNTARY_OTHER",
        "INVOLUNTARY_DISABILITY",
    ):
        windows.append({"reason": reason, **other})
    if rules.cause_forfeits:
        windows.append({"reason": "INVOLUNTARY_WITH_CAUSE", "period": 0, "period_type": "DAYS"})
    else:
        windows.append({"reason": "INVOLUNTARY_WITH_CAUSE", **other})
    return windows


def _vesting_terms(award: Award, restating: list[Split]) -> dict[str, Any] | None:
    if not award.tranches:
        return None
    tranches = sorted(award.tranches, key=lambda t: t.vest_date)
    ids = [f"{award.award_id}-tranche-{n}" for n in range(1, len(tranches) + 1)]
    conditions = [
        {
            "id": ids[n],
            "description": f"{_shares(t.shares)} shares vest on {t.vest_date.isoformat()}",
            "quantity": _num(t.shares),
            "trigger": {"type": "VESTING_SCHEDULE_ABSOLUTE", "date": t.vest_date.isoformat()},
            "next_condition_ids": ids[n + 1 : n + 2],
        }
        for n, t in enumerate(tranches)
    ]
    schedule = "; ".join(f"{t.vest_date.isoformat()}: {_shares(t.shares)}" for t in tranches)
    comments = []
    if restating:
        comments.append(_restated_note(restating, award.plan))
    item: dict[str, Any] = {
        "object_type": "VESTING_TERMS",
        "id": f"{award.award_id}-vesting",
        "name": f"Vesting of award {award.award_id}",
        "description": f"Vests in {len(tranches)} tranches ({schedule}); vesting stops when "
        "the holder's service ends and is accelerated by a covered transaction.",
        "allocation_type": "CUMULATIVE_ROUND_DOWN",
        "vesting_conditions": conditions,
    }
    if comments:
        item["comments"] = comments
    return item


def _restated_note(restating: list[Split], plan: PlanCode) -> str:
    told = ", ".join(f"{s.day.isoformat()} (ratio {_num(s.ratio)})" for s in restating)
    return (
        f"Restated by the split of {told} ({split_section(plan)}): quantities and prices are "
        "the restated ones, also for what happened before the split."
    )


def _award_transactions(
    state: State, as_of: date, warnings: list[str], parted: set[str]
) -> list[dict[str, Any]]:
    """Every award's transactions; `parted` gets the ids of the ISO awards exported as
    two securities (stockplan_cli.ocf_iso)."""
    exercises: dict[str, list[ExerciseRecord]] = {}
    for record in state.exercises:
        exercises.setdefault(record.award_id, []).append(record)
    found: list[dict[str, Any]] = []
    iso = iso_splits(state.awards)
    for award in state.awards:
        mine = _one_award(state, award, iso, as_of, exercises.get(award.award_id, []), warnings)
        two = _iso_securities(state, award, iso, mine)
        if two is not None:
            parted.add(award.award_id)
        found += mine if two is None else two
    return found


def _iso_securities(
    state: State, award: Award, iso: dict[str, IsoSplit], transactions: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """A mixed ISO award's transactions as two securities, one per option type
    (Code §422(d)); None for any other award, or where the history cannot part them."""
    split = iso.get(award.award_id)
    if split is None or not (split.iso_shares and split.nso_shares):
        return None
    parts = iso_parts(award, split, _history(state, award))
    return None if parts is None else split_transactions(award, split, parts, transactions)


def _history(state: State, award: Award) -> list[AwardEvent]:
    raw = state.award_items.get(award.award_id, {}).get("history", []) or []
    return [AwardEvent.from_stored(e) for e in raw]


def _vesting_of(
    state: State, award: Award, iso: dict[str, IsoSplit], parted: set[str]
) -> list[dict[str, Any]]:
    """The award's vesting terms; an award exported as two securities, one for each."""
    restating = _restating(state, award)
    split = iso.get(award.award_id)
    awards = [award]
    if split is not None and award.award_id in parted:
        awards = [
            award.evolve(tranches=part_tranches(split, iso=True)),
            award.evolve(
                award_id=nso_security(award.award_id), tranches=part_tranches(split, iso=False)
            ),
        ]
    return [t for a in awards if (t := _vesting_terms(a, restating)) is not None]


def _one_award(
    state: State,
    award: Award,
    iso: dict[str, IsoSplit],
    as_of: date,
    exercises: list[ExerciseRecord],
    warnings: list[str],
) -> list[dict[str, Any]]:
    """The award's transactions as one security."""
    restating = _restating(state, award)
    found = [_issuance(award, restating, iso_and_nso(award, iso))]
    certified = _certifications(award, state)
    if award.award_type.requires_exercise:
        found += _exercises(award, exercises, restating, warnings)
    elif certified is not None:
        found += certified[0]
    else:
        found += _releases(award, state, warnings)
    found += _cancellations(award, as_of, 0 if certified is None else certified[1])
    acceleration = _acceleration(award)
    if acceleration is not None:
        found.append(acceleration)
    return found


def _issuance(
    award: Award, restating: list[Split], iso: tuple[int, int] | None = None
) -> dict[str, Any]:
    comments = [
        f"{AWARD_TYPE_NAMES[award.award_type].capitalize()} under the "
        f"{plan_rules(award.plan).title}."
    ]
    iso_shares, nso_shares = iso or iso_and_nso(award, iso_splits([award]))
    if award.award_type is AwardType.ISO and nso_shares:
        comments.append(
            f"Of its {_shares(award.shares_granted)} shares, {_shares(iso_shares)} keep ISO "
            f"treatment and {_shares(nso_shares)} are non-qualified: the ISO shares first "
            "exercisable in one calendar year count only up to $100,000 of grant-date fair "
            "market value (Code §422(d))."
        )
    if restating:
        comments.append(_restated_note(restating, award.plan))
    if award.exercise_deadline is not None and award.exercise_deadline != (
        award.final_exercise_date
    ):
        comments.append(
            f"Exercise deadline after every termination rule and cap: "
            f"{award.exercise_deadline.isoformat()}."
        )
    item: dict[str, Any] = {
        "object_type": "TX_EQUITY_COMPENSATION_ISSUANCE",
        "id": f"{award.award_id}-issuance",
        "date": award.grant_date.isoformat(),
        "security_id": award.award_id,
        "custom_id": award.award_id,
        "stakeholder_id": award.participant_id,
        "stock_plan_id": _plan_id(award.plan),
        "stock_class_id": STOCK_CLASS_ID,
        "compensation_type": _compensation_type(award, iso_shares),
        "quantity": _num(award.shares_granted),
        "expiration_date": None
        if award.final_exercise_date is None
        else award.final_exercise_date.isoformat(),
        "termination_exercise_windows": _windows(award),
        "security_law_exemptions": [],
        "comments": comments,
    }
    if award.exercise_price is not None:
        key = "base_price" if award.award_type is AwardType.SAR else "exercise_price"
        item[key] = _money(award.exercise_price)
    if award.award_type is AwardType.ISO and iso_shares:
        # An ISO wholly over the $100,000 limit is a non-qualified option (Code §422(d)).
        item["option_grant_type"] = "ISO"
    elif award.award_type.is_option:
        item["option_grant_type"] = "NSO"
    if award.tranches:
        item["vesting_terms_id"] = f"{award.award_id}-vesting"
    return item


def restate(events: list[tuple[date, int]], splits: Iterable[Split]) -> list[int]:
    """Each event's quantity in current terms. `events` (in date order) are in the units
    of their day; a split restated the running total (floored, as `split_award` does) at
    the end of its day. Event i is F(after_i) - F(before_i), F being every split after
    it: the restated quantities add up to the restated total, as the award holds it."""
    timeline = sorted(splits, key=lambda s: s.day)
    result = []
    total = 0
    for index, (day, quantity) in enumerate(events):
        # Splits between the previous event and this one restate the running total.
        earlier = events[index - 1][0] if index else date.min
        for split in timeline:
            if earlier <= split.day < day:
                total = split_shares(total, split.ratio)
        before, after = total, total + quantity
        for split in timeline:
            if split.day >= day:
                before = split_shares(before, split.ratio)
                after = split_shares(after, split.ratio)
        result.append(after - before)
        total += quantity
    return result


def _exercises(
    award: Award, records: list[ExerciseRecord], restating: list[Split], warnings: list[str]
) -> list[dict[str, Any]]:
    shares = restate([(r.exercise_date, r.shares) for r in records], restating)
    withheld = restate([(r.exercise_date, r.shares_withheld) for r in records], restating)
    if sum(shares) != award.shares_exercised or sum(withheld) != award.shares_withheld:
        warning = (
            f"Award {award.award_id}: its {len(records)} exercise record(s) add up to "
            f"{sum(shares)} shares ({sum(withheld)} withheld), the award to "
            f"{award.shares_exercised} ({award.shares_withheld} withheld); the award's "
            "figures are given as one exercise."
        )
        warnings.append(warning)
        if award.shares_exercised == 0:
            return []
        last = max((r.exercise_date for r in records), default=award.grant_date)
        return [
            _exercise(
                award, 1, last, award.shares_exercised, award.shares_withheld, [warning], None
            )
        ]
    found = []
    for number, (record, quantity, held) in enumerate(
        zip(records, shares, withheld, strict=True), start=1
    ):
        comments = [f"Exercises row {record.source_row} of {record.source_key}."]
        if quantity != record.shares or held != record.shares_withheld:
            comments.append(
                f"As fed: {_shares(record.shares)} shares, {_shares(record.shares_withheld)} "
                "withheld, before the split restated the award."
            )
        found.append(
            _exercise(award, number, record.exercise_date, quantity, held, comments, record)
        )
    return found


def _exercise(
    award: Award,
    number: int,
    day: date,
    quantity: int,
    withheld: int,
    comments: list[str],
    record: ExerciseRecord | None,
) -> dict[str, Any]:
    if record is not None and record.exercise_id:
        comments = [f"The company's exercise_id: {record.exercise_id}.", *comments]
    item: dict[str, Any] = {
        "object_type": "TX_EQUITY_COMPENSATION_EXERCISE",
        "id": f"{award.award_id}-exercise-{number}",
        "date": day.isoformat(),
        "security_id": award.award_id,
        "quantity": _num(quantity),
        "resulting_security_ids": [],
        "comments": comments,
    }
    paid = []
    if withheld:
        paid.append(
            f"{_shares(withheld)} shares withheld for the exercise price or taxes; "
            f"{_shares(quantity - withheld)} shares delivered."
        )
    if record is not None and (record.shares_tendered or record.payment != "cash"):
        # 1998 §4.a last sentence: delivery is counted net of previously owned shares
        # tendered; the directors plan counts every share exercised (Directors §4(a)).
        paid.append(
            f"Paid by {record.payment.replace('+', ' + ')}"
            + (
                f"; {_shares(record.shares_tendered)} previously owned shares tendered (as fed)."
                if record.shares_tendered
                else "."
            )
        )
    if paid:
        item["consideration_text"] = " ".join(paid)
    return item


def _fmv(state: State, on: date) -> Decimal | None:
    return fair_market_value(state.prices, on)


def _releases(award: Award, state: State, warnings: list[str]) -> list[dict[str, Any]]:
    """A stock award's deliveries as it vests (stockplan.domain.schedule.settle_award)."""
    total = award.shares_exercised
    if total == 0:
        return []
    days = {t.vest_date for t in award.tranches} or {award.grant_date}
    if award.accelerated_on is not None:
        days.add(award.accelerated_on)
    cap = award.shares_granted - award.shares_forfeited
    delivered = 0
    plan: list[tuple[date, int]] = []
    for day in sorted(days):
        if delivered >= total:
            break
        due = min(max(delivered, min(award.vested_shares(day), cap) - award.shares_expired), total)
        if due > delivered:
            plan.append((day, due - delivered))
            delivered = due
    if delivered != total:
        warning = (
            f"Award {award.award_id}: its vesting delivers {delivered} shares, the award "
            f"holds {total} delivered; the award's figure is given as one release."
        )
        warnings.append(warning)
        plan = [(max(days), total)]
    found = []
    for number, (day, quantity) in enumerate(plan, start=1):
        price = _fmv(state, day)
        comments = ["Delivered as it vested."]
        if price is None:
            comments.append("No closing price on or before that day: release_price 0.")
        found.append(
            {
                "object_type": "TX_EQUITY_COMPENSATION_RELEASE",
                "id": f"{award.award_id}-release-{number}",
                "date": day.isoformat(),
                "security_id": award.award_id,
                "settlement_date": day.isoformat(),
                "release_price": _money(price if price is not None else Decimal(0)),
                "quantity": _num(quantity),
                "resulting_security_ids": [],
                "comments": comments,
            }
        )
    return found


def _certifications(award: Award, state: State) -> tuple[list[dict[str, Any]], int] | None:
    """A performance award's certifications (1998 §6.a.(9)), each on its day: the
    shares earned released, the rest of the tranches due forfeited; and the shares
    they forfeited. None for other awards, or where the history's figures do not add
    up to the award's (the vesting-based releases then stand)."""
    if award.award_type is not AwardType.PERFORMANCE:
        return None
    history = _history(state, award)
    found: list[dict[str, Any]] = []
    released = forfeited = 0
    for index, event in enumerate(history):
        if event.kind is not EventKind.CERTIFY:
            continue
        before, after = replay(history[:index]), replay(history[: index + 1])
        earned = after.shares_exercised - before.shares_exercised
        lost = after.shares_forfeited - before.shares_forfeited
        number, day = index, event.day.isoformat()
        if earned:
            price = _fmv(state, event.day)
            found.append(
                {
                    "object_type": "TX_EQUITY_COMPENSATION_RELEASE",
                    "id": f"{award.award_id}-certified-{number}",
                    "date": day,
                    "security_id": award.award_id,
                    "settlement_date": day,
                    "release_price": _money(price if price is not None else Decimal(0)),
                    "quantity": _num(earned),
                    "resulting_security_ids": [],
                    "comments": [
                        f"Delivered as certified by the Committee on {day} (1998 §6.a.(9))."
                    ],
                }
            )
        if lost:
            found.append(
                {
                    "object_type": "TX_EQUITY_COMPENSATION_CANCELLATION",
                    "id": f"{award.award_id}-not-earned-{number}",
                    "date": day,
                    "security_id": award.award_id,
                    "quantity": _num(lost),
                    "reason_text": f"Forfeited: not earned under the performance criteria, as "
                    f"certified on {day} (1998 §6.a.(9)).",
                }
            )
        released += earned
        forfeited += lost
    if released != award.shares_exercised or forfeited > award.shares_forfeited:
        return None
    return found, forfeited


def _cancellations(award: Award, as_of: date, settled: int = 0) -> list[dict[str, Any]]:
    """Forfeitures and expiries; `settled`: shares a certification already forfeited."""
    found = []
    if award.shares_forfeited > settled:
        day = award.service_ended_on or award.grant_date
        found.append(
            {
                "object_type": "TX_EQUITY_COMPENSATION_CANCELLATION",
                "id": f"{award.award_id}-forfeiture",
                "date": day.isoformat(),
                "security_id": award.award_id,
                "quantity": _num(award.shares_forfeited - settled),
                "reason_text": f"Forfeited: unvested when the holder's service ended on "
                f"{day.isoformat()} ({FORFEITURE_SECTIONS[award.plan]}).",
            }
        )
    if award.shares_expired:
        deadline = award.exercise_deadline or award.final_exercise_date
        day = as_of if deadline is None else deadline + timedelta(days=1)
        found.append(
            {
                "object_type": "TX_EQUITY_COMPENSATION_CANCELLATION",
                "id": f"{award.award_id}-expiry",
                "date": day.isoformat(),
                "security_id": award.award_id,
                "quantity": _num(award.shares_expired),
                "reason_text": "Expired: not exercised by the exercise deadline"
                + ("" if deadline is None else f" {deadline.isoformat()}")
                + ".",
            }
        )
    return found


def _acceleration(award: Award) -> dict[str, Any] | None:
    day = award.accelerated_on
    if day is None:
        return None
    unaccelerated = award.evolve(accelerated_on=None)
    quantity = award.shares_granted - award.shares_forfeited - unaccelerated.vested_shares(day)
    if quantity <= 0:
        return None
    return {
        "object_type": "TX_VESTING_ACCELERATION",
        "id": f"{award.award_id}-acceleration",
        "date": day.isoformat(),
        "security_id": award.award_id,
        "quantity": _num(quantity),
        "reason_text": f"Covered transaction of {day.isoformat()}: every award vests in full "
        f"({covered_section(award.plan)}).",
    }


# --- deferred stock ---------------------------------------------------------------------------


def _deferred_transactions(state: State) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for d in state.deferred:
        security = deferred_security_id(d)
        found.append(
            {
                "object_type": "TX_EQUITY_COMPENSATION_ISSUANCE",
                "id": f"{security}-issuance",
                "date": d.award_date.isoformat(),
                "security_id": security,
                "custom_id": security,
                "stakeholder_id": d.participant_id,
                "stock_plan_id": _plan_id(PlanCode.DIRECTORS_1999),
                "stock_class_id": STOCK_CLASS_ID,
                "compensation_type": "RSU",
                "quantity": _num(d.shares),
                "expiration_date": None,
                "termination_exercise_windows": [],
                "security_law_exemptions": [],
                "comments": [
                    f"Deferred Stock Award in lieu of the {d.fee_type.value} fee of "
                    f"{d.fee_date.isoformat()} (Directors §7(a)): ${_num(d.amount)} at the Fair "
                    f"Market Value {_num(d.fair_market_value)}, ${_num(d.cash_in_lieu)} paid "
                    f"in cash; to be issued on {d.issue_date.isoformat()} (Directors §7(b)).",
                ],
            }
        )
        if d.status is DeferredStatus.ISSUED:
            price = _fmv(state, d.issue_date) or d.fair_market_value
            found.append(
                {
                    "object_type": "TX_EQUITY_COMPENSATION_RELEASE",
                    "id": f"{security}-release",
                    "date": d.issue_date.isoformat(),
                    "security_id": security,
                    "settlement_date": d.issue_date.isoformat(),
                    "release_price": _money(price),
                    "quantity": _num(d.shares),
                    "resulting_security_ids": [],
                    "comments": ["Deferred stock issued (Directors §7(b))."],
                }
            )
    return found
