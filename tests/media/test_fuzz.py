"""A CI-sized fuzz run of the metadata layer (longer runs: `python -m tests.fuzz.run --minutes N`).

`HAGUE_FUZZ_EXAMPLES` scales both targets (default 300 normaliser inputs, 4 batches of 16 mutated files).
"""

from __future__ import annotations

import os

import pytest

from tests.fuzz.media import fuzz_normaliser, fuzz_parsers

SCALE = int(os.environ.get("HAGUE_FUZZ_EXAMPLES", "300"))


@pytest.mark.slow
def test_normaliser_never_raises_on_arbitrary_parser_output() -> None:
    fuzz_normaliser(SCALE)


@pytest.mark.slow
def test_mutated_files_never_crash_the_main_process() -> None:
    fuzz_parsers(max(1, SCALE // 75))
