"""The human-readable index of a bundle (HTML, and PDF via WeasyPrint): items, versions, hashes, custody.

Built only from what the bag holds (metadata, custody records, checkpoint), so it shows nothing the
bag does not: witnesses appear by pseudonym only.
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
@page { size: A4 landscape; margin: 1.5cm; @bottom-right { content: counter(page) " / " counter(pages); } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; }
p { margin: 0 0 2px; }
.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; word-break: break-all; }
.ev { margin-left: 1.5em; }
h2 { font-size: 10pt; margin: 1em 0 0.2em; page-break-after: avoid; }
"""
SEP = " \u00b7 "


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _line(*parts: Any) -> str:
    return SEP.join(_e(p) for p in parts if p not in (None, ""))


def _custody_lines(events: list[dict[str, Any]]) -> str:
    """One paragraph per custody event (paragraphs, not tables: WeasyPrint lays out thousands quickly)."""
    if not events:
        return "<p class=ev>No custody events recorded.</p>"
    out = []
    for ev in events:
        place = ", ".join(p for p in (ev.get("place"), ev.get("facility"), ev.get("room"), ev.get("shelf")) if p)
        seals = ", ".join(ev.get("seal_numbers") or [])
        who = ev.get("actor_name", "")
        if ev.get("counterpart_name"):
            who += f" \u2192 {ev['counterpart_name']}"
        when = f"{ev.get('occurred_at')} ({ev.get('occurred_tz')})"
        seal_text = f"seals {seals} {ev.get('seal_state') or ''}".strip() if seals else ""
        parts = (f"#{ev.get('seq')}", when, ev.get("event_type"), who, ev.get("organisation_code"), place)
        out.append(f"<p class=ev>{_line(*parts, seal_text, ev.get('reason'))}</p>")
    return "".join(out)


def _file_line(ern: str, f: dict[str, Any]) -> str:
    head = _line(ern + (f.get("ern_suffix") or ""), f.get("derivation") or "original", f["mime_type"])
    return (
        f"<p class=ev>{head}{SEP}{_e(f['size'])} bytes"
        f"<br><span class=hash>SHA-256 {_e(f['sha256'])}{SEP}{_e(f['path'])}</span></p>"
    )


def render_html(bundle: dict[str, Any], items: list[dict[str, Any]], custody: dict[str, list[dict[str, Any]]]) -> str:
    """The index page: bundle facts, one summary line per item, then each item's files and custody summary."""
    summary = []
    for item in items:
        versions = ", ".join((f.get("ern_suffix") or "original") for f in item["files"]) or "files withheld"
        events = len(custody.get(item["ern"], []))
        witness = f"witness {item['pseudonym']}" if item.get("pseudonym") else ""
        parts = (item["ern"], item["title"], item["kind"], item.get("collected_at"), item["classification"])
        summary.append(f"<p>{_line(*parts, witness, versions, f'{events} custody events')}</p>")
    sections = []
    for item in items:
        files = "".join(_file_line(item["ern"], f) for f in item["files"])
        refs = "; ".join(f"{r['origin']}: {r['ern']}" for r in item.get("external_refs", []))
        withheld = item.get("files_withheld")
        notes = [
            f"Witness: {item['pseudonym']}" if item.get("pseudonym") else "",
            f"Also known as {refs}" if refs else "",
            f"{withheld} file(s) withheld (not approved for disclosure)" if withheld else "",
        ]
        sections.append(
            f"<h2>{_e(item['ern'])}: {_e(item['title'])}</h2>"
            + "".join(f"<p>{_e(n)}</p>" for n in notes if n)
            + files
            + "<p>Custody:</p>"
            + _custody_lines(custody.get(item["ern"], []))
        )
    withheld_items = "".join(f"<p>{_line(w['ern'], w['reason'])}</p>" for w in bundle.get("withheld", []))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Disclosure bundle</title>
<style>{STYLE}</style></head><body>
<h1>Disclosure bundle: case {_e(bundle["case"])}</h1>
<p>From {_e(bundle["organisation"])} to {_e(bundle.get("recipient") or "unspecified recipient")},
created {_e(bundle["created_at"])} by {_e(bundle["created_by"])}; files: {_e(bundle["files"])}.</p>
<p>Log {_e(bundle["origin"])}, checkpoint size {_e(bundle["checkpoint_size"])}, root
<span class=hash>{_e(bundle["checkpoint_root"])}</span>. Verify offline with <code>hague bundle verify</code>
and the keys you trust.</p>
{f"<h2>Withheld items</h2>{withheld_items}" if withheld_items else ""}
<h2>Items</h2>
{"".join(summary)}
{"".join(sections)}
</body></html>"""


def render_pdf(html: str) -> bytes:
    """The index as PDF (WeasyPrint)."""
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())
