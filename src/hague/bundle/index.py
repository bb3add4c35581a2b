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
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left; }
code { font-size: 7pt; word-break: break-all; }
h2 { font-size: 11pt; margin: 1.2em 0 0.3em; page-break-after: avoid; }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _custody_rows(events: list[dict[str, Any]]) -> str:
    if not events:
        return "<p>No custody events recorded.</p>"
    rows = []
    for ev in events:
        place = ", ".join(p for p in (ev.get("place"), ev.get("facility"), ev.get("room"), ev.get("shelf")) if p)
        seals = ", ".join(ev.get("seal_numbers") or [])
        if seals:
            seals += f" ({ev.get('seal_state') or ''})"
        who = ev.get("actor_name", "")
        if ev.get("counterpart_name"):
            who += f" → {ev['counterpart_name']}"
        rows.append(
            f"<tr><td>{_e(ev.get('seq'))}</td><td>{_e(ev.get('occurred_at'))} ({_e(ev.get('occurred_tz'))})</td>"
            f"<td>{_e(ev.get('event_type'))}</td><td>{_e(who)}</td><td>{_e(ev.get('organisation_code'))}</td>"
            f"<td>{_e(place)}</td><td>{_e(seals)}</td><td>{_e(ev.get('reason'))}</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("#", "when", "event", "who", "org.", "where", "seals", "why"))
    head = f"<tr>{head}</tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def render_html(bundle: dict[str, Any], items: list[dict[str, Any]], custody: dict[str, list[dict[str, Any]]]) -> str:
    """The index page: bundle facts, the item table, then each item's files and custody summary."""
    summary = []
    for item in items:
        versions = ", ".join((f.get("ern_suffix") or "original") for f in item["files"]) or "files withheld"
        summary.append(
            f"<tr><td>{_e(item['ern'])}</td><td>{_e(item['title'])}</td><td>{_e(item['kind'])}</td>"
            f"<td>{_e(item.get('collected_at'))}</td><td>{_e(item['classification'])}</td>"
            f"<td>{_e(item.get('pseudonym') or '')}</td><td>{_e(versions)}</td>"
            f"<td>{len(custody.get(item['ern'], []))}</td></tr>"
        )
    sections = []
    for item in items:
        files = "".join(
            f"<tr><td>{_e(item['ern'])}{_e(f.get('ern_suffix'))}</td><td>{_e(f.get('derivation') or 'original')}</td>"
            f"<td>{_e(f['mime_type'])}</td><td>{_e(f['size'])}</td><td><code>{_e(f['sha256'])}</code></td>"
            f"<td><code>{_e(f['path'])}</code></td></tr>"
            for f in item["files"]
        )
        refs = "; ".join(f"{r['origin']}: {r['ern']}" for r in item.get("external_refs", []))
        withheld = (
            f"<p>{item['files_withheld']} file(s) withheld (not approved for disclosure).</p>"
            if item.get("files_withheld")
            else ""
        )
        sections.append(
            f"<h2>{_e(item['ern'])}: {_e(item['title'])}</h2>"
            + (f"<p>Witness: {_e(item['pseudonym'])}</p>" if item.get("pseudonym") else "")
            + (f"<p>Also known as {_e(refs)}</p>" if refs else "")
            + f"<table><tr><th>version</th><th>derivation</th><th>type</th><th>bytes</th><th>SHA-256</th>"
            f"<th>path in bag</th></tr>{files}</table>{withheld}" + _custody_rows(custody.get(item["ern"], []))
        )
    withheld_items = "".join(f"<li>{_e(w['ern'])}: {_e(w['reason'])}</li>" for w in bundle.get("withheld", []))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Disclosure bundle</title>
<style>{STYLE}</style></head><body>
<h1>Disclosure bundle: case {_e(bundle["case"])}</h1>
<p>From {_e(bundle["organisation"])} to {_e(bundle.get("recipient") or "unspecified recipient")},
created {_e(bundle["created_at"])} by {_e(bundle["created_by"])}; files: {_e(bundle["files"])}.</p>
<p>Log {_e(bundle["origin"])}, checkpoint size {_e(bundle["checkpoint_size"])}, root
<code>{_e(bundle["checkpoint_root"])}</code>. Verify offline with <code>hague bundle verify</code> and the
keys you trust.</p>
{f"<p>Withheld items:</p><ul>{withheld_items}</ul>" if withheld_items else ""}
<table><tr><th>ERN</th><th>title</th><th>kind</th><th>collected</th><th>classification</th><th>witness</th>
<th>versions</th><th>custody events</th></tr>{"".join(summary)}</table>
{"".join(sections)}
</body></html>"""


def render_pdf(html: str) -> bytes:
    """The index as PDF (WeasyPrint)."""
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())
