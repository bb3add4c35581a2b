"""An item's chain of custody as CASE/UCO JSON-LD (CASE 1.x): one `InvestigativeAction` per custody event,
each resulting in a `ProvenanceRecord` of the exhibit (the ERN), performed by a `Person` at a `Location`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.custody.models import CustodyEvent
from hague.evidence.models import Item
from hague.evidence.register import get_item

CONTEXT = {
    "kb": "urn:hague:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-location": "https://ontology.unifiedcyberontology.org/uco/location/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _node(node_id: str, kind: str, **props: Any) -> dict[str, Any]:
    return {"@id": node_id, "@type": kind, **{k: v for k, v in props.items() if v not in (None, "", [])}}


def provenance_graph(session: Session, ern: str) -> dict[str, Any]:
    """The custody chain of `ern` as a CASE/UCO JSON-LD document (`@context` + `@graph`)."""
    item = get_item(session, ern)
    parent = session.get(Item, item.parent_item_id) if item.parent_item_id else None
    events = list(
        session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq))
    )
    exhibit = f"kb:exhibit-{item.ern}"
    graph: list[dict[str, Any]] = [
        _node(
            exhibit,
            "uco-observable:ObservableObject",
            **{"uco-core:name": item.title, "uco-core:description": item.kind},
        )
    ]
    people: dict[str, str] = {}
    places: dict[str, str] = {}

    def person(name: str, organisation: str) -> str:
        if name not in people:
            people[name] = f"kb:person-{len(people) + 1}"
            graph.append(
                _node(
                    people[name], "uco-identity:Person", **{"uco-core:name": name, "uco-core:description": organisation}
                )
            )
        return people[name]

    def place(name: str) -> str | None:
        if not name:
            return None
        if name not in places:
            places[name] = f"kb:location-{len(places) + 1}"
            graph.append(_node(places[name], "uco-location:Location", **{"uco-core:name": name}))
        return places[name]

    for e in events:
        record_id = f"kb:provenance-{item.ern}-{e.seq}"
        where = place(", ".join(p for p in (e.place, e.facility, e.room, e.shelf) if p))
        graph.append(
            _node(
                record_id,
                "case-investigation:ProvenanceRecord",
                **{
                    "case-investigation:exhibitNumber": item.ern,
                    "case-investigation:rootExhibitNumber": parent.ern if parent else None,
                    "uco-core:object": [{"@id": exhibit}],
                    "uco-core:description": f"custody {e.event_type}; seals {', '.join(e.seal_numbers)} "
                    f"({e.seal_state})"
                    if e.seal_numbers
                    else f"custody {e.event_type}",
                },
            )
        )
        performers = [{"@id": person(e.actor_name, e.organisation_code)}]
        graph.append(
            _node(
                f"kb:action-{item.ern}-{e.seq}",
                "case-investigation:InvestigativeAction",
                **{
                    "uco-core:name": e.event_type,
                    "uco-core:description": e.reason,
                    "uco-action:startTime": {"@type": "xsd:dateTime", "@value": e.occurred_at.isoformat()},
                    "uco-action:performer": performers[0],
                    "uco-action:participant": [{"@id": person(e.counterpart_name, "")}] if e.counterpart_name else [],
                    "uco-action:location": {"@id": where} if where else None,
                    "uco-action:object": [{"@id": exhibit}],
                    "uco-action:result": [{"@id": record_id}],
                    "uco-action:actionStatus": e.source,
                },
            )
        )
    return {"@context": CONTEXT, "@graph": graph}
