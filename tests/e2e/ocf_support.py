"""Reading an Open Cap Format bundle as an equity tool would, independently of
stockplan_cli.ocf: every file validated against the official OCF 1.2.0 schemas (the
project's copy, $refs resolved locally with `referencing`), its MD5 checked, its
references followed, and its totals worked out from the transactions alone."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "src" / "stockplan_cli" / "ocf_schemas"
BASE = "https://schema.opencaptablecoalition.com/v/1.2.0/"
FILE_SCHEMAS = {
    "OCF_MANIFEST_FILE": "OCFManifestFile",
    "OCF_STAKEHOLDERS_FILE": "StakeholdersFile",
    "OCF_STOCK_CLASSES_FILE": "StockClassesFile",
    "OCF_STOCK_LEGEND_TEMPLATES_FILE": "StockLegendTemplatesFile",
    "OCF_STOCK_PLANS_FILE": "StockPlansFile",
    "OCF_TRANSACTIONS_FILE": "TransactionsFile",
    "OCF_VALUATIONS_FILE": "ValuationsFile",
    "OCF_VESTING_TERMS_FILE": "VestingTermsFile",
}


@cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry = Registry()
    for path in SCHEMAS.rglob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        # Each schema's $id is its place under the release's base URL.
        assert schema["$id"] == BASE + path.relative_to(SCHEMAS).as_posix(), path
        registry = registry.with_resource(
            schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)
        )
    return registry


def schema_errors(document: dict[str, Any]) -> list[str]:
    from jsonschema import Draft7Validator

    registry = _registry()
    uri = f"{BASE}files/{FILE_SCHEMAS[document['file_type']]}.schema.json"
    validator = Draft7Validator(
        registry.contents(uri), registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(document)
    ]


@dataclass
class Bundle:
    manifest: dict[str, Any]
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by manifest key

    def items(self, key: str) -> list[dict[str, Any]]:
        return self.files[key]

    @property
    def transactions(self) -> list[dict[str, Any]]:
        return self.files["transactions_files"]

    def of_type(self, object_type: str) -> list[dict[str, Any]]:
        return [t for t in self.transactions if t["object_type"] == object_type]


def read_bundle(folder: Path) -> Bundle:
    """The bundle at `folder`, every file valid and as its manifest says (MD5)."""
    manifest = json.loads((folder / "Manifest.ocf.json").read_text(encoding="utf-8"))
    assert schema_errors(manifest) == []
    bundle = Bundle(manifest)
    for key, entries in manifest.items():
        if not key.endswith("_files"):
            continue
        bundle.files[key] = []
        for entry in entries:
            data = (folder / entry["filepath"]).read_bytes()
            assert hashlib.md5(data).hexdigest() == entry["md5"], entry
            document = json.loads(data)
            assert schema_errors(document) == [], (entry["filepath"], schema_errors(document)[:3])
            bundle.files[key] += document["items"]
    return bundle


def check_references(bundle: Bundle) -> None:
    """Every id referred to exists, every id is unique, nothing is after as_of."""
    stakeholders = {s["id"] for s in bundle.items("stakeholders_files")}
    plans = {p["id"] for p in bundle.items("stock_plans_files")}
    classes = {c["id"] for c in bundle.items("stock_classes_files")}
    terms = {t["id"] for t in bundle.items("vesting_terms_files")}
    ids = Counter(t["id"] for t in bundle.transactions)
    assert [i for i, n in ids.items() if n > 1] == []
    issued = {t["security_id"] for t in bundle.of_type("TX_EQUITY_COMPENSATION_ISSUANCE")}
    for plan in bundle.items("stock_plans_files"):
        assert set(plan["stock_class_ids"]) <= classes
    for tx in bundle.transactions:
        assert tx["date"] <= bundle.manifest["as_of"], tx["id"]
        if tx["object_type"] == "TX_EQUITY_COMPENSATION_ISSUANCE":
            assert tx["stakeholder_id"] in stakeholders, tx["id"]
            assert tx["stock_plan_id"] in plans and tx["stock_class_id"] in classes
            if "vesting_terms_id" in tx:
                assert tx["vesting_terms_id"] in terms, tx["id"]
        elif "security_id" in tx:
            assert tx["security_id"] in issued, tx["id"]
        if "stock_plan_id" in tx:
            assert tx["stock_plan_id"] in plans
        if "stock_class_id" in tx:
            assert tx["stock_class_id"] in classes


@dataclass
class Figures:
    granted: int = 0
    exercised: int = 0  # exercised options and delivered stock awards
    forfeited: int = 0
    expired: int = 0

    @property
    def outstanding(self) -> int:
        return self.granted - self.exercised - self.forfeited - self.expired


def _shares(text: str) -> int:
    value = Decimal(text)
    assert value == value.to_integral_value(), text
    return int(value)


def per_security(bundle: Bundle) -> dict[str, Figures]:
    """Each award's figures, worked out from its transactions alone: an ISO award partly
    over the $100,000 limit is two securities (its ISO and NSO parts) of one custom_id."""
    award_of = {
        t["security_id"]: t.get("custom_id", t["security_id"])
        for t in bundle.of_type("TX_EQUITY_COMPENSATION_ISSUANCE")
    }
    figures: dict[str, Figures] = defaultdict(Figures)
    for tx in bundle.transactions:
        kind = tx["object_type"]
        award = award_of.get(tx.get("security_id", ""), tx.get("security_id", ""))
        if kind == "TX_EQUITY_COMPENSATION_ISSUANCE":
            figures[award].granted += _shares(tx["quantity"])
        elif kind in ("TX_EQUITY_COMPENSATION_EXERCISE", "TX_EQUITY_COMPENSATION_RELEASE"):
            figures[award].exercised += _shares(tx["quantity"])
        elif kind == "TX_EQUITY_COMPENSATION_CANCELLATION":
            reason = tx["reason_text"]
            assert reason.startswith(("Expired", "Forfeited")), reason
            target = figures[award]
            if reason.startswith("Expired"):
                target.expired += _shares(tx["quantity"])
            else:
                target.forfeited += _shares(tx["quantity"])
    return dict(figures)


def per_plan(bundle: Bundle) -> dict[str, Figures]:
    plan_of = {
        t["security_id"]: t["stock_plan_id"]
        for t in bundle.of_type("TX_EQUITY_COMPENSATION_ISSUANCE")
    }
    plans: dict[str, Figures] = defaultdict(Figures)
    for security, f in per_security(bundle).items():
        total = plans[plan_of[security]]
        total.granted += f.granted
        total.exercised += f.exercised
        total.forfeited += f.forfeited
        total.expired += f.expired
    return dict(plans)


def reserved(bundle: Bundle) -> dict[str, int]:
    """Each plan's reserve as of the bundle: its last pool adjustment, else its initial."""
    result = {
        p["id"]: _shares(p["initial_shares_reserved"]) for p in bundle.items("stock_plans_files")
    }
    for tx in bundle.of_type("TX_STOCK_PLAN_POOL_ADJUSTMENT"):  # in date order
        result[tx["stock_plan_id"]] = _shares(tx["shares_reserved"])
    return result


def check_against_report(bundle: Bundle, report: dict[str, Any]) -> None:
    """The bundle's figures are report.json's: per award, per deferred stock award, and
    per plan (shares, outstanding, exercised, forfeited, expired, reserved)."""
    assert bundle.manifest["as_of"] == report["as_of"]
    securities = per_security(bundle)
    for award in report["awards"]:
        f = securities[award["award_id"]]
        assert (f.granted, f.exercised, f.forfeited, f.expired, f.outstanding) == (
            award["shares_granted"],
            award["shares_exercised"],
            award["shares_forfeited"],
            award["shares_expired"],
            award["shares_outstanding"],
        ), award["award_id"]
    deferred = [s for s in securities if s.startswith("DS-")]
    assert len(deferred) == len(report["deferred_stock"])
    for d in report["deferred_stock"]:
        f = securities[f"DS-{d['participant_id']}-{d['fee_type']}-{d['fee_date']}"]
        assert f.granted == d["shares"]
        assert f.exercised == (d["shares"] if d["status"] == "issued" else 0)
    plans = per_plan(bundle)
    reserves = reserved(bundle)
    for plan, pool in report["pools"].items():
        awards = [a for a in report["awards"] if a["plan"] == plan]
        stock = [d for d in report["deferred_stock"] if plan == "directors-1999"]
        got = plans.get(plan, Figures())
        assert got.granted == sum(a["shares_granted"] for a in awards) + sum(
            d["shares"] for d in stock
        )
        assert got.exercised == sum(a["shares_exercised"] for a in awards) + sum(
            d["shares"] for d in stock if d["status"] == "issued"
        )
        assert got.expired == sum(a["shares_expired"] for a in awards)
        assert got.forfeited == sum(a["shares_forfeited"] for a in awards)
        assert got.outstanding == pool["outstanding"], plan
        assert reserves[plan] == pool["reserved"], plan
