"""CLI of disclosure bundles (`hague bundle create/verify/import`) and the CASE/UCO export (`hague export case-uco`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hague.cli.common import console, err_console, instance, print_json, require_actor, translate_errors

if TYPE_CHECKING:
    from hague.bundle.verify import Trust

bundle_app = typer.Typer(
    help="Court disclosure bundles (BagIt) and evidence exchange between instances.", no_args_is_help=True
)
export_app = typer.Typer(help="Exports in standard formats.", no_args_is_help=True)


@export_app.callback()
def export_group() -> None:
    """Exports in standard formats (a group, so `hague export case-uco` keeps its name)."""


KeyOpt = Annotated[list[str] | None, typer.Option("--key", help="A trusted verifier key (log or witness); repeat.")]
KeysFileOpt = Annotated[Path | None, typer.Option("--keys-file", help="File of trusted verifier keys, one a line.")]
QuorumOpt = Annotated[int | None, typer.Option(help="Witness cosignatures required (default: every trusted witness).")]
IdentityOpt = Annotated[Path | None, typer.Option("--identity", help="age identity file, for encrypted bundles.")]


def _trust(keys: list[str] | None, keys_file: Path | None, quorum: int | None) -> Trust:
    from hague.bundle.verify import parse_trust
    from hague.errors import ValidationError

    lines = list(keys or [])
    if keys_file is not None:
        lines += keys_file.read_text(encoding="utf-8").splitlines()
    trust = parse_trust(lines, quorum)
    if not trust.log_keys:
        raise ValidationError("give at least one trusted log key (--key or --keys-file)")
    return trust


def _identities(identity: Path | None) -> list[str]:
    if identity is None:
        return []
    return [ln for ln in identity.read_text(encoding="utf-8").splitlines() if ln.startswith("AGE-SECRET-KEY-")]


@bundle_app.command("create")
@translate_errors
def create_cmd(
    target: Annotated[Path, typer.Argument(help="Folder to create (or .tar.age file with --encrypt-to).")],
    case: Annotated[str, typer.Option(help="Case code, e.g. UKR-OTP-0001.")],
    ern: Annotated[list[str] | None, typer.Option("--ern", help="An item to include; repeat.")] = None,
    incident: Annotated[int | None, typer.Option(help="Include the items of this incident.")] = None,
    saved_search: Annotated[
        str | None, typer.Option("--saved-search", help="Include what this saved search of the case finds.")
    ] = None,
    recipient: Annotated[str | None, typer.Option(help="Recipient organisation code.")] = None,
    files: Annotated[str, typer.Option(help="originals, or redacted (approved redacted versions only).")] = "originals",
    for_defence: Annotated[bool, typer.Option("--for-defence", help="Only what consent allows the defence.")] = False,
    encrypt_to: Annotated[str | None, typer.Option("--encrypt-to", help="Recipient's age public key.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render the index as PDF.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Package items as a BagIt disclosure bundle with proofs against a signed checkpoint (logged)."""
    from hague.bundle.collect import Selection
    from hague.bundle.create import create_bundle

    selection = Selection(case, tuple(ern or ()), incident, recipient, files, for_defence, saved_search)
    with instance() as hague:
        made = create_bundle(hague, selection, target, require_actor(), recipient_key=encrypt_to, pdf=pdf)
    if as_json:
        print_json({**made.__dict__, "path": str(made.path)})
        return
    console.print(f"bundle {made.sha256}: {len(made.items)} items at {made.path}", highlight=False, soft_wrap=True)
    for held in made.withheld:
        console.print(f"withheld {held['ern']}: {held['reason']}", highlight=False, soft_wrap=True)


@bundle_app.command("verify")
def verify_cmd(
    path: Annotated[Path, typer.Argument(help="Bundle folder, tar, or age-encrypted tar.")],
    key: KeyOpt = None,
    keys_file: KeysFileOpt = None,
    quorum: QuorumOpt = None,
    identity: IdentityOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a bundle offline (no database, no network); exit 1 naming each failed item and step."""
    from hague.bundle.verify import verify_path
    from hague.errors import HagueError

    try:
        trust = _trust(key, keys_file, quorum)
        verdict = verify_path(path, trust, _identities(identity))
    except (HagueError, OSError) as exc:
        message = exc.message if isinstance(exc, HagueError) else f"cannot read {exc.filename}: {exc.strerror}"
        err_console.print(f"[bold red]error[/]: {message}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if as_json:
        print_json(
            {
                "ok": verdict.ok,
                "bundle": verdict.bundle_sha256,
                "items": {ern: [f.__dict__ for f in fs] for ern, fs in verdict.items.items()},
                "bundle_failures": [f.__dict__ for f in verdict.bundle],
            }
        )
    else:
        for line in verdict.lines():
            console.print(line, highlight=False, markup=False, soft_wrap=True)
    if not verdict.ok:
        raise typer.Exit(1)


@bundle_app.command("import")
@translate_errors
def import_cmd(
    path: Annotated[Path, typer.Argument(help="Bundle folder, tar, or age-encrypted tar.")],
    case: Annotated[str, typer.Option(help="Local case to import into.")],
    key: KeyOpt = None,
    keys_file: KeysFileOpt = None,
    quorum: QuorumOpt = None,
    identity: IdentityOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a bundle, then import its items (local ERNs, external references, custody continues)."""
    from hague.bundle.receive import import_bundle

    trust = _trust(key, keys_file, quorum)
    with instance() as hague:
        done = import_bundle(hague, path, case, require_actor(), trust, _identities(identity))
    if as_json:
        print_json(done.__dict__)
        return
    state = "already imported" if done.already_imported else "imported"
    console.print(f"bundle {done.sha256} {state}: {len(done.items)} items", highlight=False, soft_wrap=True)
    for theirs, mine in done.items.items():
        console.print(f"{theirs} -> {mine}", highlight=False, soft_wrap=True)


@export_app.command("case-uco")
@translate_errors
def case_uco_cmd(
    output: Annotated[Path, typer.Argument(help="JSON-LD file to write.")],
    case: Annotated[str, typer.Option(help="Case code.")],
    ern: Annotated[list[str] | None, typer.Option("--ern", help="Only these items; repeat.")] = None,
) -> None:
    """Export items, provenance records and investigative actions as CASE/UCO JSON-LD."""
    from hague.bundle.case_uco import export_case

    with instance() as hague:
        count = export_case(hague, case, output, erns=tuple(ern or ()), by=require_actor())
    console.print(f"{count} objects written to {output}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `hague bundle ...` and `hague export ...` to the root command."""
    app.add_typer(bundle_app, name="bundle")
    app.add_typer(export_app, name="export")
