"""CASE/UCO JSON-LD export (CASE 1.x, https://caseontology.org): items, their files, provenance and custody.

Each item is a `case-investigation:ProvenanceRecord` (exhibit number = ERN) over an observable object
and its files (`uco-observable:File` with SHA-256 hashes); collection, each custody event and each
derivation is a `case-investigation:InvestigativeAction` (performer, object, result, location, times);
a derivative file is `case-investigation:wasDerivedFrom` its source. Node IRIs are UUIDv5 of stable
keys (ERN, hash, event number), so re-exporting gives the same graph. Witnesses appear by pseudonym only.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import clears, get_user, require_role
from hague.bundle.collect import BUNDLE_ROLES
from hague.core import Hague
from hague.custody.models import CustodyEvent
from hague.errors import PermissionDenied
from hague.evidence.models import Case, File, Item
from hague.evidence.register import get_case, get_item
from hague.ledger.canonical import decimal_text

UCO = "https://ontology.unifiedcyberontology.org/uco/"
CONTEXT = {
    "kb": "urn:hague:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": UCO + "action/",
    "uco-core": UCO + "core/",
    "uco-identity": UCO + "identity/",
    "uco-location": UCO + "location/",
    "uco-observable": UCO + "observable/",
    "uco-types": UCO + "types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
NAMESPACE = uuid.UUID("5b7c6b1e-2f57-4b8e-9a59-6b2f3c1d7e90")


def node_id(kind: str, *key: object) -> str:
    """A stable IRI for a node: `kb:<kind>-<uuid5 of the key>`."""
    return f"kb:{kind}-{uuid.uuid5(NAMESPACE, '|'.join(str(k) for k in key))}"


def _time(value: Any) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value.isoformat()}


class _Graph:
    """Nodes collected once each, by IRI."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}

    def add(self, node: dict[str, Any]) -> str:
        self.nodes.setdefault(node["@id"], node)
        return str(node["@id"])

    def identity(self, name: str, organisation: str) -> str:
        return self.add(
            {
                "@id": node_id("identity", name, organisation),
                "@type": "uco-identity:Identity",
                "uco-core:name": f"{name} ({organisation})" if organisation else name,
            }
        )

    def location(self, name: str, lat: float | None = None, lon: float | None = None) -> str:
        node: dict[str, Any] = {"@id": node_id("location", name, lat, lon), "@type": "uco-location:Location"}
        node["uco-core:name"] = name or "unspecified"
        if lat is not None and lon is not None:
            node["uco-core:hasFacet"] = [
                {
                    "@id": node_id("latlong", name, lat, lon),
                    "@type": "uco-location:LatLongCoordinatesFacet",
                    "uco-location:latitude": {"@type": "xsd:decimal", "@value": decimal_text(lat)},
                    "uco-location:longitude": {"@type": "xsd:decimal", "@value": decimal_text(lon)},
                }
            ]
        return self.add(node)


def _file_node(f: File, item: Item, source: File | None) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": node_id("file", item.ern, f.sha256),
        "@type": "uco-observable:File",
        "uco-core:name": f"{item.ern}{f.ern_suffix}",
        "uco-core:hasFacet": [
            {
                "@id": node_id("file-facet", item.ern, f.sha256),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": f"{item.ern}{f.ern_suffix}-{f.sha256[:12]}",
                "uco-observable:sizeInBytes": f.size,
            },
            {
                "@id": node_id("content-facet", item.ern, f.sha256),
                "@type": "uco-observable:ContentDataFacet",
                "uco-observable:mimeType": f.mime_type,
                "uco-observable:sizeInBytes": f.size,
                "uco-observable:hash": [
                    {
                        "@id": node_id("hash", f.sha256),
                        "@type": "uco-types:Hash",
                        "uco-types:hashMethod": "SHA256",
                        "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": f.sha256.upper()},
                    }
                ],
            },
        ],
    }
    if source is not None:
        node["case-investigation:wasDerivedFrom"] = [{"@id": node_id("file", item.ern, source.sha256)}]
    return node


def _item(graph: _Graph, session: Session, case: Case, item: Item) -> None:
    files = list(session.scalars(select(File).where(File.item_id == item.id).order_by(File.id)))
    by_id = {f.id: f for f in files}
    obj = graph.add(
        {
            "@id": node_id("item", item.ern),
            "@type": "uco-observable:ObservableObject",
            "uco-core:name": item.title,
            "uco-core:description": f"{item.kind} evidence item {item.ern} of case {case.code}",
        }
    )
    file_ids = [graph.add(_file_node(f, item, by_id.get(f.derived_from_id or -1))) for f in files]
    record: dict[str, Any] = {
        "@id": node_id("provenance-record", item.ern),
        "@type": "case-investigation:ProvenanceRecord",
        "case-investigation:exhibitNumber": item.ern,
        "uco-core:object": [{"@id": i} for i in [obj, *file_ids]],
    }
    external = (item.extra or {}).get("external")
    if isinstance(external, dict) and external.get("ern"):
        record["case-investigation:rootExhibitNumber"] = [str(external["ern"])]
    graph.add(record)
    collection: dict[str, Any] = {
        "@id": node_id("action", item.ern, "collected"),
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": "collection",
        "uco-core:description": item.method or "collection of the item",
        "uco-action:result": [{"@id": i} for i in [obj, record["@id"], *(file_ids[:1])]],
    }
    if item.collected_at is not None:
        collection["uco-action:startTime"] = [_time(item.collected_at)]
    if item.collected_by:
        collection["uco-action:performer"] = {"@id": graph.identity(item.collected_by, "")}
    if item.place_name or item.lat is not None:
        collection["uco-action:location"] = [{"@id": graph.location(item.place_name, item.lat, item.lon)}]
    if item.tool:
        tool = graph.add(
            {
                "@id": node_id("tool", item.tool, item.tool_version),
                "@type": "uco-core:UcoObject",
                "uco-core:name": f"{item.tool} {item.tool_version}".strip(),
            }
        )
        collection["uco-action:instrument"] = [{"@id": tool}]
    graph.add(collection)
    for f in files:
        source = by_id.get(f.derived_from_id or -1)
        if source is None:
            continue
        graph.add(
            {
                "@id": node_id("action", item.ern, "derivation", f.sha256),
                "@type": "case-investigation:InvestigativeAction",
                "uco-core:name": f"derivation: {f.derivation}",
                "uco-core:description": f.reason or (f.derivation or "derivation"),
                "uco-action:startTime": [_time(f.created_at)],
                "uco-action:object": [{"@id": node_id("file", item.ern, source.sha256)}],
                "uco-action:result": [{"@id": node_id("file", item.ern, f.sha256)}],
            }
        )
    events = session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq))
    for ev in events:
        action: dict[str, Any] = {
            "@id": node_id("action", item.ern, "custody", ev.seq),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": f"custody: {ev.event_type}",
            "uco-core:description": ev.reason or ev.event_type,
            "uco-action:startTime": [_time(ev.occurred_at)],
            "uco-action:performer": {"@id": graph.identity(ev.actor_name, ev.organisation_code)},
            "uco-action:object": [{"@id": obj}, {"@id": record["@id"]}],
        }
        if ev.counterpart_name:
            action["uco-action:participant"] = [{"@id": graph.identity(ev.counterpart_name, "")}]
        where = ", ".join(p for p in (ev.place, ev.facility, ev.room, ev.shelf) if p)
        if where:
            action["uco-action:location"] = [{"@id": graph.location(where)}]
        graph.add(action)


def case_uco_document(session: Session, case: Case, items: list[Item]) -> dict[str, Any]:
    """The JSON-LD document of `items` (a `@graph` with the CASE/UCO context)."""
    graph = _Graph()
    for item in items:
        _item(graph, session, case, item)
    return {"@context": CONTEXT, "@graph": list(graph.nodes.values())}


def export_case(hague: Hague, case_code: str, output: Path, *, erns: tuple[str, ...] = (), by: str) -> int:
    """Write the CASE/UCO export of a case (or some of its items) for a user with a role and clearance."""
    with hague.reader() as session:
        user = get_user(session, by)
        case = get_case(session, case_code)
        require_role(session, user, case, BUNDLE_ROLES)
        if erns:
            items = [get_item(session, e) for e in erns]
        else:
            items = list(session.scalars(select(Item).where(Item.case_id == case.id).order_by(Item.id)))
        for item in items:
            if item.case_id != case.id or not clears(user.clearance, item.classification):
                raise PermissionDenied(f"{user.username} cannot export {item.ern}")
        doc = case_uco_document(session, case, items)
    Path(output).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(doc["@graph"])
