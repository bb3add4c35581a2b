"""The custody report of one item as PDF (weasyprint): timeline, actors, seals, file hashes, integrity status.

Integrity is checked when the report is made: every stored file is re-hashed through the store, and
every custody event's record is recomputed and compared with its log entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.core import Hague
from hague.custody.anomalies import report as anomaly_report
from hague.custody.models import CustodyEvent, CustodyState, IntegrityIncident
from hague.custody.records import event_record, row_of
from hague.db.base import utcnow
from hague.evidence.models import Case, File, Item, User
from hague.evidence.register import get_item
from hague.ledger.canonical import record_hash
from hague.ledger.models import LogEntry
from hague.store import BlobStore

TEMPLATE = Template(
    """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 16mm 14mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 11pt; margin: 5mm 0 2mm; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.5px solid #aaa; padding: 1.2mm; vertical-align: top; }
th { background: #eef; text-align: left; }
.ok { color: #075; font-weight: bold; } .bad { color: #b00; font-weight: bold; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; word-break: break-all; }
</style></head><body>
<h1>Chain of custody: {{ item.ern }}</h1>
<p>{{ item.title }}: {{ item.kind }} item of case {{ case.code }}, classification {{ item.classification }}.
Collected {{ collected }}{% if item.collected_by %} by {{ item.collected_by }}{% endif %}
{% if item.place_name %} at {{ item.place_name }}{% endif %}.
Current custody: {{ status }}. Report made {{ made }} UTC.</p>
<h2>Integrity: {% if integrity.intact %}<span class="ok">INTACT</span>
{% else %}<span class="bad">INTEGRITY PROBLEMS FOUND</span>{% endif %}</h2>
<p>{{ integrity.events_checked }} custody events recomputed against their log entries:
{% if integrity.event_failures %}<span class="bad">{{ integrity.event_failures | join("; ") }}</span>
{% else %}all match{% endif %}.</p>
{% if integrity.files %}<table><tr><th>SHA-256</th><th>file</th><th>kind</th><th>re-hash</th></tr>
{% for f in integrity.files %}<tr><td class="mono">{{ f.sha256 }}</td><td>{{ f.name }}</td>
<td>{{ f.derivation }}</td><td class="{{ 'ok' if f.status == 'verified' else 'bad' }}">{{ f.status }}</td></tr>
{% endfor %}</table>{% else %}<p>No stored files.</p>{% endif %}
{% if integrity.incidents %}<p>Integrity incidents:</p><ul>{% for i in integrity.incidents %}
<li class="bad">{{ i.kind }} at {{ i.occurred_at.isoformat() }}: expected {{ i.expected_sha256 }},
found {{ i.found_sha256 }} ({{ i.actor_name }})</li>{% endfor %}</ul>{% endif %}
<h2>Timeline</h2>
<table><tr><th>#</th><th>time</th><th>event</th><th>actor</th><th>place</th><th>seals</th><th>details</th></tr>
{% for r in rows %}<tr><td>{{ r.seq }}</td><td>{{ r.time }}</td>
<td>{{ r.type }}{% if r.imported %}<br><small>imported: {{ r.imported }}</small>{% endif %}</td>
<td>{{ r.actor }}<br><small>{{ r.organisation }}</small>
{% if r.counterpart %}<br>{{ r.arrow }} {{ r.counterpart }}{% endif %}</td>
<td>{{ r.place }}</td><td>{{ r.seals }}</td><td>{% for d in r.details %}{{ d }}<br>{% endfor %}</td></tr>
{% else %}<tr><td colspan="7">No custody events recorded.</td></tr>{% endfor %}</table>
<h2>Actors</h2><ul>{% for name, orgs in actors.items() %}<li>{{ name }} {{ orgs | join(", ") }}</li>{% endfor %}</ul>
<h2>Seals</h2><ul>{% for number, uses in seals.items() %}<li>{{ number }}: {{ uses | join("; ") }}</li>
{% else %}<li>none</li>{% endfor %}</ul>
<h2>Anomalies</h2><ul>{% for a in anomalies %}<li>event {{ a.seq }}: {{ a.kind }}: {{ a.message }}</li>
{% else %}<li>none found</li>{% endfor %}</ul>
</body></html>""",
    autoescape=True,
)


@dataclass
class Integrity:
    """What was verified for the report, with the evidence of any failure."""

    files: list[dict[str, Any]] = field(default_factory=list)
    events_checked: int = 0
    event_failures: list[str] = field(default_factory=list)
    incidents: list[IntegrityIncident] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when every file re-hashed to its digest, every event matched its entry, and no incident is open."""
        return all(f["status"] == "verified" for f in self.files) and not self.event_failures and not self.incidents


def _rehash(store: BlobStore, sha256: str) -> str:
    if not store.exists(sha256):
        return "missing"
    digest = hashlib.sha256()
    with store.open(sha256) as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return "verified" if digest.hexdigest() == sha256 else "MISMATCH"


def check_integrity(session: Session, store: BlobStore, item: Item, events: list[CustodyEvent]) -> Integrity:
    """Re-hash the item's files and recompute each custody event's attested record."""
    result = Integrity()
    for file in session.scalars(select(File).where(File.item_id == item.id).order_by(File.id)):
        result.files.append(
            {
                "sha256": file.sha256,
                "name": file.original_name,
                "derivation": file.derivation or "original",
                "status": _rehash(store, file.sha256),
            }
        )
    seqs = [e.log_seq for e in events if e.log_seq is not None]
    entries = {e.seq: e for e in session.scalars(select(LogEntry).where(LogEntry.seq.in_(seqs)))} if seqs else {}
    for event in events:
        entry = entries.get(event.log_seq) if event.log_seq is not None else None
        result.events_checked += 1
        if entry is None:
            result.event_failures.append(f"event {event.seq}: no log entry")
            continue
        attested = json.loads(entry.body).get("record")
        if attested != record_hash(event_record(item.ern, row_of(event))):
            result.event_failures.append(f"event {event.seq}: record differs from log entry {entry.seq}")
    result.incidents = list(session.scalars(select(IntegrityIncident).where(IntegrityIncident.item_id == item.id)))
    return result


def _local(when: datetime, tz: str) -> str:
    return f"{when.astimezone(ZoneInfo(tz)).strftime('%Y-%m-%d %H:%M')} {tz} ({when.strftime('%H:%M')} UTC)"


def _where(e: CustodyEvent) -> str:
    parts = [e.place, " / ".join(p for p in (e.facility, e.room, e.shelf) if p)]
    return "; ".join(p for p in parts if p)


def _details(e: CustodyEvent) -> list[str]:
    parts = [f"{k}: {v}" for k, v in sorted(e.details.items()) if v not in ("", [], None)]
    parts += [p for p in (e.reason, e.condition and f"condition: {e.condition}", e.notes) if p]
    if e.attachments:
        parts.append("attachments: " + ", ".join(e.attachments))
    return parts


def _row(e: CustodyEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "time": _local(e.occurred_at, e.occurred_tz),
        "type": e.event_type,
        "imported": e.source_ref if e.source == "imported" else "",
        "actor": e.actor_name,
        "organisation": e.organisation_code,
        "counterpart": e.counterpart_name,
        "arrow": "←" if e.event_type == "received" else "→",
        "place": _where(e),
        "seals": ", ".join(e.seal_numbers) + (f" ({e.seal_state})" if e.seal_state else ""),
        "details": _details(e),
    }


def render_html(session: Session, store: BlobStore, ern: str) -> str:
    """The report as HTML (what the PDF is made from)."""
    item = get_item(session, ern)
    case = session.get(Case, item.case_id)
    assert case is not None
    events = list(
        session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq))
    )
    state = session.get(CustodyState, item.id)
    users = {u.id: u.display_name for u in session.scalars(select(User))}
    status = "no custody record" if state is None else state.status.replace("_", " ")
    if state is not None and state.status == "in_transit":
        status += f" from {users.get(state.custodian_id or 0, 'unknown')} to {users.get(state.receiver_id or 0, '?')}"
    elif state is not None and state.custodian_id:
        status += f", custodian {users.get(state.custodian_id, 'unknown')}"
    actors: dict[str, list[str]] = {}
    seals: dict[str, list[str]] = {}
    for e in events:
        orgs = actors.setdefault(e.actor_name, [])
        if e.organisation_code and e.organisation_code not in orgs:
            orgs.append(e.organisation_code)
        if e.counterpart_name:
            actors.setdefault(e.counterpart_name, [])
        for number in e.seal_numbers:
            seals.setdefault(number, []).append(f"event {e.seq} {e.event_type} ({e.seal_state or 'intact'})")
    collected = f"{item.collected_at.isoformat()} {item.collected_tz}" if item.collected_at else "(time not recorded)"
    return str(
        TEMPLATE.render(
            item=item,
            case=case,
            collected=collected,
            status=status,
            made=utcnow().strftime("%Y-%m-%d %H:%M"),
            integrity=check_integrity(session, store, item, events),
            rows=[_row(e) for e in events],
            actors=actors,
            seals=seals,
            anomalies=anomaly_report(session, ern=item.ern),
        )
    )


def write_report(hague: Hague, ern: str, target: Path) -> Path:
    """Render the custody report PDF of `ern` to `target` (written to a temporary name, then renamed)."""
    from weasyprint import HTML

    with hague.reader() as session:
        html = render_html(session, hague.store, ern)
    part = target.with_name(target.name + ".part")
    HTML(string=html).write_pdf(part)
    part.replace(target)
    return target
