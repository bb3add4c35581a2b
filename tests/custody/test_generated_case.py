"""Issue 4 acceptance at full size: 10,000 items, 100,000 events, 2% deviant (SQLite only: the generation alone
takes a minute or more on a shared CPU; the same checks run on both backends at 1,000 events in test_workflow)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import text

from hague.core import Hague
from hague.custody.anomalies import report
from hague.evidence import register
from hague.settings import Settings
from hague.workflow import conformance
from hague.workflow.processmap import process_map, to_svg
from tests.custody.generator import KINDS, generate

DIRECT_FOLLOWS = """
SELECT prev, event_type, count(*) FROM (
  SELECT event_type, LAG(event_type) OVER (PARTITION BY item_id ORDER BY seq) AS prev FROM custody_events
) AS steps WHERE prev IS NOT NULL GROUP BY prev, event_type
"""


@pytest.mark.slow
def test_ten_thousand_items_every_planted_deviation_found_and_the_map_counts_the_events(tmp_path: Path) -> None:
    hague = Hague.open(Settings(data_dir=tmp_path / "data"))
    try:
        with hague.unit() as unit:
            register.create_organisation(unit, "OTP", "Office of the Prosecutor")
            case = register.create_case(unit, "OTP", "UKR", "Generated").code
        planted = generate(hague, case, 10_000, deviant_share=0.02)
        assert planted.events == 100_000 and len(planted.deviations) == 200
        assert {k for k, _ in planted.deviations.values()} == set(KINDS)
        with hague.reader() as session:
            checked = conformance.check(session, case_code=case)
            graph = process_map(session, case_code=case)
            anomalies = report(session, case_code=case)
            nodes = dict(
                session.execute(text("SELECT event_type, count(*) FROM custody_events GROUP BY event_type"))
                .tuples()
                .all()
            )
            edges = {(a, b): n for a, b, n in session.execute(text(DIRECT_FOLLOWS)).tuples()}
        found = {(d.ern, d.kind, d.seq) for d in checked.deviations} | {(a.ern, a.kind, a.seq) for a in anomalies}
        assert found == {(ern, kind, seq) for ern, (kind, seq) in planted.deviations.items()}
        assert checked.checked == 10_000
        assert {n["type"]: n["count"] for n in graph["nodes"]} == nodes
        assert {(e["from"], e["to"]): e["count"] for e in graph["edges"]} == edges
        svg = to_svg(graph)
        ET.fromstring(svg)
        (tmp_path / "map.svg").write_text(svg)
        assert json.loads(json.dumps(graph))["events"] == 100_000
    finally:
        hague.close()
