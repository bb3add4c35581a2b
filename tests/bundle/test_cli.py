"""`hague bundle create/verify/import` and `hague export case-uco`: one library call each, errors one line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bundle.conftest import RECEIVER_ORIGIN, populate_sender, prepare_receiver, vkeys
from typer.testing import CliRunner

from hague.cli.main import app
from hague.core import Hague
from hague.ledger.keys import generate_key


def _env(hague: Hague, actor: str) -> dict[str, str]:
    return {
        "HAGUE_DATA_DIR": str(hague.settings.data_dir),
        "HAGUE_DATABASE_URL": hague.settings.resolved_database_url,
        "HAGUE_LOG_ORIGIN": hague.settings.log_origin,
        "HAGUE_USER": actor,
    }


def test_create_verify_import_and_export_from_the_command_line(hague: Hague, receiver: Hague, tmp_path: Path) -> None:
    runner = CliRunner()
    data = populate_sender(hague)
    generate_key(hague)
    case_b = prepare_receiver(receiver)
    generate_key(receiver)
    assert receiver.settings.log_origin == RECEIVER_ORIGIN
    target = tmp_path / "bundle"
    args = ["bundle", "create", str(target), "--case", data.case, "--ern", data.physical, "--ern", data.testimony]
    made = runner.invoke(app, [*args, "--recipient", "PGO", "--no-pdf", "--json"], env=_env(hague, "lead"))
    assert made.exit_code == 0, made.output
    sha = json.loads(made.output)["sha256"]
    keys = tmp_path / "keys.txt"
    keys.write_text("# the sender's log\n" + "\n".join(vkeys(hague)) + "\n")

    checked = runner.invoke(app, ["bundle", "verify", str(target), "--keys-file", str(keys), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["ok"] is True

    untrusted = runner.invoke(app, ["bundle", "verify", str(target), "--key", vkeys(receiver)[0]])
    assert untrusted.exit_code == 1 and "checkpoint signature" in untrusted.output
    no_keys = runner.invoke(app, ["bundle", "verify", str(target)])
    assert no_keys.exit_code == 2 and "trusted log key" in no_keys.output

    env_b = _env(receiver, "rec")
    imported = runner.invoke(
        app, ["bundle", "import", str(target), "--case", case_b, "--keys-file", str(keys)], env=env_b
    )
    assert imported.exit_code == 0, imported.output
    assert f"bundle {sha} imported: 2 items" in imported.output
    assert f"{data.physical} -> UKR-PGO-0001-0001" in imported.output
    again = runner.invoke(app, ["bundle", "import", str(target), "--case", case_b, "--keys-file", str(keys)], env=env_b)
    assert again.exit_code == 0 and "already imported" in again.output

    out = tmp_path / "case.jsonld"
    exported = runner.invoke(app, ["export", "case-uco", str(out), "--case", case_b], env=env_b)
    assert exported.exit_code == 0, exported.output
    doc = json.loads(out.read_text())
    roots = [n.get("case-investigation:rootExhibitNumber") for n in doc["@graph"] if "rootExhibitNumber" in str(n)]
    assert sorted(r[0] for r in roots if r) == sorted([data.physical, data.testimony])

    refused = runner.invoke(app, [*args, "--no-pdf"], env=_env(hague, "viewer"))
    assert refused.exit_code == 2 and "error" in refused.output


def test_the_readme_bundle_commands_and_options_exist() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Disclosure bundles", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    commands = [ln.split("#", 1)[0].split() for ln in block.splitlines() if ln.strip().startswith("hague")]
    assert len(commands) >= 5
    runner = CliRunner()
    for words in commands:
        args = words[1:]
        if args[0] == "--as":
            args = args[2:]
        path = args[:2]
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, (path, result.output)
        for option in (w for w in args[2:] if w.startswith("--")):
            assert option in result.output, (path, option)


def test_verify_with_a_missing_keys_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bundle", "verify", str(tmp_path), "--keys-file", str(tmp_path / "none.txt")])
    assert result.exit_code == 2 and "cannot read" in result.output and "Traceback" not in result.output


def test_create_selects_by_saved_search_from_the_command_line(hague: Hague, tmp_path: Path) -> None:
    runner = CliRunner()
    data = populate_sender(hague)
    generate_key(hague)
    env = _env(hague, "lead")
    saved = runner.invoke(app, ["search", "save", data.case, "school", "--q", "school", "--kind", "digital"], env=env)
    assert saved.exit_code == 0, saved.output
    args = ["bundle", "create", str(tmp_path / "b"), "--case", data.case, "--saved-search", "school"]
    made = runner.invoke(app, [*args, "--no-pdf", "--json"], env=env)
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["items"] == data.digital
