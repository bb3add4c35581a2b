"""Child process of the crash test: registers items (record + entry per transaction) until killed."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from hague.core import Hague
from hague.evidence import register
from hague.ledger.checkpoints import create_checkpoint
from hague.settings import Settings


def main(data_dir: Path) -> None:
    hague = Hague(Settings(data_dir=data_dir))
    (data_dir / "ready").write_text("1")
    n = 0
    while True:
        blob = hague.store.put_stream(io.BytesIO(b"crash test file %d" % n))
        with hague.unit() as unit:
            for _ in range(10):
                item = register.add_item(unit, "UKR-OTP-0001", register.ItemInput(kind="digital", title=f"Item {n}"))
                n += 1
            register.attach_file(unit, item, blob.sha256, blob.size, "text/plain", "f.txt")
        if n % 200 == 0:
            create_checkpoint(hague)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
