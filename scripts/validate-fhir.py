"""Validates FHIR R4 JSON resources written by caretrail (the demo's consent.fhir.json, …).

Each file is parsed with the R4 models of `fhir.resources` 6.5 (structure, element names,
types, cardinality) and checked against the value sets and invariants that library does not
enforce for the resource types caretrail writes (Consent: status, ppc-1 policy-or-rule,
provision.type; ClaimResponse: status, use, outcome; Bundle: type, and every entry's resource;
AuditEvent: action, outcome; Provenance: entity.role, target and agent; CapabilityStatement: status, kind; OperationOutcome: severity).

usage: python validate-fhir.py FILE...
"""
import json
import sys

from fhir.resources.fhirtypesvalidators import get_fhir_model_class

VALUE_SETS = {
    "Consent": {
        "status": {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"},
    },
    "ClaimResponse": {
        "status": {"active", "cancelled", "draft", "entered-in-error"},
        "use": {"claim", "preauthorization", "predetermination"},
        "outcome": {"queued", "complete", "error", "partial"},
    },
    "Claim": {
        "status": {"active", "cancelled", "draft", "entered-in-error"},
        "use": {"claim", "preauthorization", "predetermination"},
    },
    "ExplanationOfBenefit": {
        "status": {"active", "cancelled", "draft", "entered-in-error"},
        "use": {"claim", "preauthorization", "predetermination"},
        "outcome": {"queued", "complete", "error", "partial"},
    },
    "Bundle": {
        "type": {"document", "message", "transaction", "transaction-response", "batch",
                 "batch-response", "history", "searchset", "collection"},
    },
    "AuditEvent": {
        "action": {"C", "R", "U", "D", "E"},
        "outcome": {"0", "4", "8", "12"},
    },
    "CapabilityStatement": {
        "status": {"draft", "active", "retired", "unknown"},
        "kind": {"instance", "capability", "requirements"},
    },
}


def check(path):
    with open(path) as f:
        resource = json.load(f)
    kind = resource.get("resourceType")
    model = get_fhir_model_class(kind)
    model.parse_obj(resource)
    check_values(resource)
    return kind


def check_values(resource):
    """The value sets and invariants of `resource` (and of a Bundle's entries)."""
    kind = resource.get("resourceType")
    if kind == "Bundle":
        for entry in resource.get("entry", []):
            check_values(entry["resource"])
    if kind == "OperationOutcome":
        for issue in resource.get("issue", []):
            if issue.get("severity") not in ("fatal", "error", "warning", "information"):
                raise ValueError(f"OperationOutcome.issue.severity = {issue.get('severity')!r}")
    for field, allowed in VALUE_SETS.get(kind, {}).items():
        if resource.get(field) not in allowed:
            raise ValueError(f"{kind}.{field} = {resource.get(field)!r} is not in {sorted(allowed)}")
    if kind == "Provenance":
        for entity in resource.get("entity", []):
            if entity.get("role") not in ("derivation", "revision", "quotation", "source", "removal"):
                raise ValueError(f"Provenance.entity.role = {entity.get('role')!r}")
        if not resource.get("target") or not resource.get("agent"):
            raise ValueError("Provenance needs a target and an agent")
    if kind == "Consent":
        if not resource.get("policy") and not resource.get("policyRule"):
            raise ValueError("ppc-1: Consent needs a policy or a policyRule")
        if resource.get("provision", {}).get("type") not in (None, "deny", "permit"):
            raise ValueError("Consent.provision.type must be deny or permit")


def main():
    failed = 0
    for path in sys.argv[1:]:
        try:
            kind = check(path)
            print(f"{path}: valid FHIR R4 {kind}")
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print(f"{path}: INVALID: {e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
