"""Printable evidence labels: ERN, title, case, classification, seal numbers and a QR code of the ERN (PDF)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg
from jinja2 import Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.core import Hague
from hague.custody.models import CustodyEvent
from hague.evidence.register import get_item

QR_PREFIX = "hague:ern:"
SHEET = Template(
    """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 10mm; }
body { font-family: "DejaVu Sans", sans-serif; margin: 0; }
.label { width: 92mm; height: 52mm; border: 0.6mm solid #000; box-sizing: border-box; padding: 3mm;
  display: inline-block; margin: 0 2mm 3mm 0; vertical-align: top; position: relative; page-break-inside: avoid; }
.ern { font-size: 13pt; font-weight: bold; font-family: "DejaVu Sans Mono", monospace; }
.title { font-size: 8.5pt; margin-top: 1.5mm; width: 52mm; overflow: hidden; max-height: 22mm; }
.meta { font-size: 7pt; margin-top: 1.5mm; width: 52mm; }
.qr { position: absolute; right: 3mm; top: 9mm; width: 34mm; height: 34mm; }
</style></head><body>{% for l in labels %}<div class="label"><div class="ern">{{ l.ern }}</div>
<div class="title">{{ l.title }}</div><div class="meta">Case {{ l.case }} · {{ l.classification }}<br>
{{ l.kind }}{% if l.seals %} · seals {{ l.seals }}{% endif %}<br>EVIDENCE: DO NOT OPEN WITHOUT RECORDING</div>
<img class="qr" src="data:image/svg+xml;base64,{{ l.qr }}"></div>{% endfor %}</body></html>""",
    autoescape=True,
)


def qr_svg(text: str) -> bytes:
    """An SVG QR code of `text` (error correction M, so a scuffed label still scans)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def label_data(session: Session, ern: str) -> dict[str, Any]:
    """What one label shows; seal numbers are those of the item's latest sealed event."""
    item = get_item(session, ern)
    last_seals = session.scalars(
        select(CustodyEvent.seal_numbers)
        .where(CustodyEvent.item_id == item.id, CustodyEvent.seal_state != "")
        .order_by(CustodyEvent.seq.desc())
        .limit(1)
    ).first()
    case_code = item.ern.rsplit("-", 1)[0]
    return {
        "ern": item.ern,
        "title": item.title,
        "case": case_code,
        "classification": item.classification,
        "kind": item.kind,
        "seals": ", ".join(last_seals or []),
        "qr": base64.b64encode(qr_svg(QR_PREFIX + item.ern)).decode("ascii"),
    }


def write_labels(hague: Hague, erns: list[str], target: Path) -> Path:
    """A PDF sheet of labels (ten to an A4 page) for `erns`."""
    from weasyprint import HTML

    with hague.reader() as session:
        labels = [label_data(session, ern) for ern in erns]
    part = target.with_name(target.name + ".part")
    HTML(string=SHEET.render(labels=labels)).write_pdf(part)
    part.replace(target)
    return target
