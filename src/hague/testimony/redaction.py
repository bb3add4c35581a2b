"""Redacted versions of transcripts for disclosure (ICC practice: `-Red`, `-Red2`; redactions on copies only).

Each version is a new redacted text (a `redacted` derivative of the original transcript, whose ERN
suffix the register allocates) and its PDF rendering (a copy of that text, rendered with WeasyPrint).
Every redaction carries a category code and a justification; the version carries the authorising
decision. Lifting redactions makes a new version from the original; nothing is overwritten.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.core import Unit
from hague.errors import NotFound, ValidationError
from hague.evidence import register
from hague.evidence.models import File, Item, User
from hague.ledger.canonical import record_hash
from hague.store import BlobStore
from hague.testimony.interviews import interview_of
from hague.testimony.models import Redaction, RedactionVersion
from hague.testimony.policy import REDACT

# Grouped by their basis in the ICC Rules of Procedure and Evidence, rule 81(2) and 81(4).
CATEGORIES: dict[str, str] = {
    "A.1": "identifying information of a witness (rule 81(4))",
    "A.2": "identifying information of a witness's family members (rule 81(4))",
    "A.3": "identifying information of victims and other persons at risk (rule 81(4))",
    "A.4": "contact details, addresses and whereabouts (rule 81(4))",
    "B.1": "identifying information of staff, interpreters and intermediaries (rule 81(2), 81(4))",
    "B.2": "locations and methods of the investigation (rule 81(2))",
    "C.1": "information that may prejudice ongoing or future investigations (rule 81(2))",
}


@dataclass(frozen=True)
class RedactionSpec:
    """One redaction: every occurrence of `text`, or the span [start, end) of the source text."""

    category: str
    justification: str
    text: str | None = None
    start: int | None = None
    end: int | None = None

    def __repr__(self) -> str:
        return f"RedactionSpec(category={self.category!r})"


def parse_specs(rows: list[dict[str, Any]]) -> list[RedactionSpec]:
    """Redaction specs from JSON rows; errors name the row number, never the text."""
    specs = []
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or set(row) - {"category", "justification", "text", "start", "end"}:
            raise ValidationError(f"redaction {i}: give category, justification and text (or start and end)")
        specs.append(
            RedactionSpec(
                str(row.get("category", "")),
                str(row.get("justification", "")),
                row.get("text"),
                row.get("start"),
                row.get("end"),
            )
        )
    return specs


def _spans(source: str, specs: list[RedactionSpec]) -> list[tuple[int, int, str, str]]:
    spans: list[tuple[int, int, str, str]] = []
    for i, spec in enumerate(specs, 1):
        if spec.category not in CATEGORIES:
            raise ValidationError(f"redaction {i}: category must be one of {', '.join(CATEGORIES)}", field="category")
        if len(spec.justification.strip()) < 5:
            raise ValidationError(f"redaction {i}: a justification is required", field="justification")
        if spec.text is not None:
            if not spec.text.strip():
                raise ValidationError(f"redaction {i}: the text to redact is empty")
            at = source.find(spec.text)
            if at < 0:
                raise ValidationError(f"redaction {i}: the text was not found in the transcript")
            while at >= 0:
                spans.append((at, at + len(spec.text), spec.category, spec.justification.strip()))
                at = source.find(spec.text, at + len(spec.text))
        elif isinstance(spec.start, int) and isinstance(spec.end, int) and 0 <= spec.start < spec.end <= len(source):
            spans.append((spec.start, spec.end, spec.category, spec.justification.strip()))
        else:
            raise ValidationError(f"redaction {i}: give the text, or a start and end inside the transcript")
    spans.sort()
    merged: list[tuple[int, int, str, str]] = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:
            prev = merged[-1]
            if prev[2] != span[2]:
                raise ValidationError("two redactions of different categories overlap; split them")
            merged[-1] = (prev[0], max(prev[1], span[1]), prev[2], prev[3])
        else:
            merged.append(span)
    return merged


def apply_spans(source: str, spans: list[tuple[int, int, str, str]]) -> str:
    """The source with each span replaced by a `[REDACTED <category>]` marker."""
    out, pos = [], 0
    for start, end, category, _ in spans:
        out.append(source[pos:start])
        out.append(f"[REDACTED {category}]")
        pos = end
    out.append(source[pos:])
    return "".join(out)


def render_pdf(title: str, text: str, legend: list[str]) -> bytes:
    """A PDF of the redacted text (WeasyPrint), with its version title and the categories used."""
    from weasyprint import HTML

    items = "".join(f"<li>{html.escape(line)}</li>" for line in legend)
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 2cm; @bottom-right {{ content: counter(page) " / " counter(pages); }} }}
      body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }}
      pre {{ white-space: pre-wrap; font-family: inherit; }}
    </style></head><body><h1>{html.escape(title)}</h1><ul>{items}</ul><pre>{html.escape(text)}</pre></body></html>"""
    return bytes(HTML(string=doc).write_pdf())


def _source_file(session: Session, item: Item, sha256: str) -> File:
    source = session.scalar(select(File).where(File.item_id == item.id, File.sha256 == sha256.strip().lower()))
    if source is None:
        raise NotFound(f"{item.ern} holds no file with SHA-256 {sha256}")
    if source.derivation not in (None, "transcript", "translation"):
        raise ValidationError(f"redact the transcript itself, not a {source.derivation} file", field="source")
    return source


def _read_text(store: BlobStore, source: File) -> str:
    with store.open(source.sha256) as fh:
        data = fh.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("only UTF-8 text transcripts can be redacted", field="source") from None


def _make_version(
    unit: Unit,
    store: BlobStore,
    item: Item,
    source: File,
    spans: list[tuple[int, int, str, str]],
    decision: str,
    by: User,
    supersedes: RedactionVersion | None,
) -> RedactionVersion:
    decision = register._check_text(decision, "decision", 300)
    text = apply_spans(_read_text(store, source), spans)
    data = text.encode("utf-8")
    blob = store.put_stream(io.BytesIO(data), expected_size=len(data))
    suffix = register.next_suffix(unit.session, item, "redacted")
    text_file = register.add_derivative(
        unit, source, blob.sha256, blob.size, "text/plain", "redacted",
        f"redacted for disclosure under decision {decision}", f"{item.ern}{suffix}.txt",
    )  # fmt: skip
    legend = [f"{code}: {CATEGORIES[code]}" for code in sorted({s[2] for s in spans})]
    pdf = render_pdf(f"{item.ern}{text_file.ern_suffix} (decision {decision})", text, legend)
    pdf_blob = store.put_stream(io.BytesIO(pdf), expected_size=len(pdf))
    pdf_file = register.add_derivative(
        unit, text_file, pdf_blob.sha256, pdf_blob.size, "application/pdf", "copy",
        f"PDF rendering of {item.ern}{text_file.ern_suffix}", f"{item.ern}{text_file.ern_suffix}.pdf",
    )  # fmt: skip
    version = RedactionVersion(
        item_id=item.id,
        source_file_id=source.id,
        text_file_id=text_file.id,
        pdf_file_id=pdf_file.id,
        ern_suffix=text_file.ern_suffix,
        decision=decision,
        supersedes_id=supersedes.id if supersedes else None,
        created_by=by.username,
    )
    unit.session.add(version)
    unit.session.flush()
    unit.session.add_all(
        Redaction(version_id=version.id, start=s, end=e, category=c, justification=j) for s, e, c, j in spans
    )
    unit.session.flush()
    unit.session.refresh(version)
    unit.attest(
        "redaction.applied",
        {"ern": item.ern, "suffix": version.ern_suffix, "record": record_hash(version_record(version, item))},
    )
    return version


def version_record(version: RedactionVersion, item: Item) -> dict[str, Any]:
    """The attested record of a redacted version (offsets, categories, justifications, decision)."""
    return {
        "ern": item.ern,
        "suffix": version.ern_suffix,
        "source_file_id": version.source_file_id,
        "text_file_id": version.text_file_id,
        "pdf_file_id": version.pdf_file_id,
        "decision": version.decision,
        "supersedes_id": version.supersedes_id,
        "created_by": version.created_by,
        "redactions": [[r.start, r.end, r.category, r.justification] for r in version.redactions],
    }


def redact(
    unit: Unit, store: BlobStore, ern: str, source_sha256: str, specs: list[RedactionSpec], decision: str, by: User
) -> RedactionVersion:
    """Make the next redacted version (`-Red`, `-Red2`...) of a transcript of an interview."""
    interview = interview_of(unit.session, ern)
    require_role(unit.session, by, interview.witness.case, REDACT)
    if not specs:
        raise ValidationError("give at least one redaction")
    item = interview.item
    source = _source_file(unit.session, item, source_sha256)
    spans = _spans(_read_text(store, source), specs)
    return _make_version(unit, store, item, source, spans, decision, by, None)


def get_version(session: Session, ern: str, suffix: str) -> RedactionVersion:
    """The redacted version `suffix` (e.g. `-Red`) of item `ern`."""
    item = register.get_item(session, ern)
    version = session.scalar(
        select(RedactionVersion).where(RedactionVersion.item_id == item.id, RedactionVersion.ern_suffix == suffix)
    )
    if version is None:
        raise NotFound(f"{item.ern} has no redacted version {suffix!r}")
    return version


def lift(
    unit: Unit, store: BlobStore, ern: str, suffix: str, lifted: list[int], decision: str, by: User
) -> RedactionVersion:
    """A new version without the redactions numbered `lifted` (1-based, in text order) of version `suffix`."""
    interview = interview_of(unit.session, ern)
    require_role(unit.session, by, interview.witness.case, REDACT)
    old = get_version(unit.session, ern, suffix)
    count = len(old.redactions)
    if not lifted or any(n < 1 or n > count for n in lifted):
        raise ValidationError(f"name the redactions to lift by number, 1 to {count}", field="lifted")
    keep = [(r.start, r.end, r.category, r.justification) for i, r in enumerate(old.redactions, 1) if i not in lifted]
    source = unit.session.get(File, old.source_file_id)
    assert source is not None
    return _make_version(unit, store, interview.item, source, keep, decision, by, old)


def versions(session: Session, ern: str) -> list[RedactionVersion]:
    """Redacted versions of an item, oldest first."""
    item = register.get_item(session, ern)
    return list(
        session.scalars(
            select(RedactionVersion).where(RedactionVersion.item_id == item.id).order_by(RedactionVersion.id)
        )
    )
