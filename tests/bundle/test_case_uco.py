"""CASE/UCO JSON-LD export: validated against the CASE ontology's own SHACL shapes (shipped offline in
`case-utils`), and the fields we emit checked one by one."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from tests.bundle.conftest import Sender, populate_sender
from tests.testimony.test_leak import hits

from hague.bundle.case_uco import export_case
from hague.core import Hague
from hague.errors import PermissionDenied

CASE_VERSION = "case-1.5.0"


@pytest.fixture
def exported(hague: Hague, tmp_path: Path) -> tuple[Sender, dict[str, Any]]:
    data = populate_sender(hague)
    out = tmp_path / "case.jsonld"
    count = export_case(hague, data.case, out, by="lead")
    doc = json.loads(out.read_text())
    assert count == len(doc["@graph"])
    return data, doc


def _of(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in doc["@graph"] if n["@type"] == kind]


@pytest.mark.slow
def test_the_export_conforms_to_the_case_shacl_shapes(exported: tuple[Sender, dict[str, Any]]) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    import rdflib

    ontology = files("case_utils.ontology")
    _, doc = exported
    data = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    data.parse(data=(ontology / f"{CASE_VERSION}-subclasses.ttl").read_text(), format="turtle")
    shapes = rdflib.Graph().parse(data=(ontology / f"{CASE_VERSION}.ttl").read_text(), format="turtle")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, report
    broken = dict(doc, **{"@graph": [*doc["@graph"], {**_of(doc, "case-investigation:ProvenanceRecord")[0]}]})
    broken["@graph"][-1] = {**broken["@graph"][-1], "case-investigation:exhibitNumber": ["A", "B"]}
    bad = rdflib.Graph().parse(data=json.dumps(broken), format="json-ld")
    bad.parse(data=(ontology / f"{CASE_VERSION}-subclasses.ttl").read_text(), format="turtle")
    assert not pyshacl.validate(bad, shacl_graph=shapes, inference="none")[0]


def test_each_item_is_a_provenance_record_with_its_ern(exported: tuple[Sender, dict[str, Any]]) -> None:
    data, doc = exported
    records = _of(doc, "case-investigation:ProvenanceRecord")
    erns = [r["case-investigation:exhibitNumber"] for r in records]
    assert erns == [*data.digital, data.physical, data.testimony]
    ids = {n["@id"] for n in doc["@graph"]}
    assert all(ref["@id"] in ids for r in records for ref in r["uco-core:object"])


def test_custody_events_are_investigative_actions_with_performer_time_and_object(
    exported: tuple[Sender, dict[str, Any]],
) -> None:
    _, doc = exported
    custody = [
        a for a in _of(doc, "case-investigation:InvestigativeAction") if a["uco-core:name"].startswith("custody")
    ]
    assert [a["uco-core:name"] for a in custody] == [
        "custody: collected",
        "custody: sealed",
        "custody: transferred",
        "custody: received",
    ]
    for action in custody:
        assert action["uco-action:startTime"][0]["@type"] == "xsd:dateTime"
        assert action["uco-action:performer"]["@id"].startswith("kb:identity-")
        assert action["uco-action:object"]


def test_derivatives_point_to_their_source_with_was_derived_from(exported: tuple[Sender, dict[str, Any]]) -> None:
    _, doc = exported
    derived = [f for f in _of(doc, "uco-observable:File") if "case-investigation:wasDerivedFrom" in f]
    names = sorted(f["uco-core:name"] for f in derived)
    assert names == sorted(["UKR-OTP-0001-0001-Red", "UKR-OTP-0001-0004-Red", "UKR-OTP-0001-0004"])
    files_by_id = {f["@id"]: f for f in _of(doc, "uco-observable:File")}
    for f in derived:
        assert f["case-investigation:wasDerivedFrom"][0]["@id"] in files_by_id
    actions = [a for a in _of(doc, "case-investigation:InvestigativeAction") if a["uco-core:name"].startswith("deriv")]
    assert len(actions) == len(derived)
    hashes = [
        h
        for f in files_by_id.values()
        for facet in f["uco-core:hasFacet"]
        for h in facet.get("uco-observable:hash", [])
    ]
    assert all(h["uco-types:hashMethod"] == "SHA256" and len(h["uco-types:hashValue"]["@value"]) == 64 for h in hashes)


def test_the_export_names_no_witness(exported: tuple[Sender, dict[str, Any]]) -> None:
    _, doc = exported
    assert hits("case.jsonld", json.dumps(doc, ensure_ascii=False).encode()) == []


def test_the_export_needs_a_role_on_the_case(hague: Hague, tmp_path: Path) -> None:
    data = populate_sender(hague)
    with pytest.raises(PermissionDenied):
        export_case(hague, data.case, tmp_path / "x.jsonld", by="viewer")
    assert not (tmp_path / "x.jsonld").exists()
