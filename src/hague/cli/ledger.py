"""CLI of the verifiable log: keys, checkpoints, proofs, the offline verifier, `verify` (fsck), witnesses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hague.cli.common import console, err_console, instance, print_json, translate_errors


def _out(text: str) -> None:
    """Notes, keys and bundles go to stdout verbatim (a console would wrap signature lines)."""
    sys.stdout.write(text)
    sys.stdout.flush()


keys_app = typer.Typer(help="The log's signing key (C2SP signed-note Ed25519).", no_args_is_help=True)
proof_app = typer.Typer(help="Inclusion and consistency proofs (RFC 9162).", no_args_is_help=True)
witness_app = typer.Typer(help="Partner witnesses (C2SP tlog-witness / tlog-cosignature).", no_args_is_help=True)


@keys_app.command("generate")
@translate_errors
def keys_generate() -> None:
    """Create the signing key (private key under DATA_DIR/keys, mode 0600); prints the public key."""
    from hague.ledger.keys import generate_key

    with instance() as hague:
        _out(generate_key(hague).to_text() + "\n")


@keys_app.command("show")
@translate_errors
def keys_show(all_keys: Annotated[bool, typer.Option("--all", help="Also retired keys.")] = False) -> None:
    """Print the public verifier key(s) to give to verifiers and witnesses."""
    from hague.ledger.keys import current_key, trusted_keys

    with instance() as hague, hague.reader() as session:
        lines = [k.to_text() for k in trusted_keys(session)] if all_keys else [current_key(session).vkey]
    _out("".join(line + "\n" for line in lines))


@keys_app.command("rotate")
@translate_errors
def keys_rotate() -> None:
    """Replace the signing key; prints the new public key and the hand-over statement signed by both."""
    from hague.ledger.keys import rotate_key

    with instance() as hague:
        vkey, statement = rotate_key(hague)
    _out(vkey.to_text() + "\n" + statement)


@translate_errors
def checkpoint_cmd(
    final: Annotated[bool, typer.Option("--final", help="Print the newest checkpoint that meets the quorum.")] = False,
    cosign: Annotated[bool, typer.Option("--cosign", help="Ask the configured witnesses to cosign.")] = False,
) -> None:
    """Sign a checkpoint of the log now (C2SP tlog-checkpoint) and print it."""
    from hague.ledger.checkpoints import create_checkpoint, latest_final_checkpoint, present_checkpoint
    from hague.ledger.witness_client import request_cosignatures

    with instance() as hague:
        if final:
            _out(latest_final_checkpoint(hague))
            return
        row = create_checkpoint(hague)
        if cosign:
            request_cosignatures(hague, row.id)
        _out(present_checkpoint(hague, row.id, final=False))


@proof_app.command("inclusion")
@translate_errors
def proof_inclusion(
    index: Annotated[int, typer.Argument(help="Entry index (0-based).")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the bundle here.")] = None,
) -> None:
    """A self-contained proof bundle: entry, inclusion proof, latest signed checkpoint (for verify-proof)."""
    from hague.ledger.proofs import inclusion_bundle

    with instance() as hague:
        bundle = inclusion_bundle(hague, index)
    if output:
        output.write_text(bundle.to_json())
    else:
        _out(bundle.to_json() + "\n")


@proof_app.command("consistency")
@translate_errors
def proof_consistency(old: int, new: int) -> None:
    """Consistency proof between two tree sizes (base64 hashes), with both roots."""
    from hague.ledger.proofs import consistency_json

    with instance() as hague:
        print_json(consistency_json(hague, old, new))


@translate_errors
def verify_proof_cmd(
    bundle: Annotated[Path, typer.Argument(help="Proof bundle (JSON) from `hague proof inclusion`.")],
    key: Annotated[list[Path], typer.Option("--key", help="File with a trusted log verifier key.")],
    witness_key: Annotated[list[Path] | None, typer.Option("--witness-key", help="Trusted witness key file.")] = None,
    quorum: Annotated[int, typer.Option(help="Cosignatures required.")] = 0,
    origin: Annotated[str | None, typer.Option(help="Expected log origin.")] = None,
) -> None:
    """Check entry + proof + checkpoint + trusted keys offline (no database); exit 2 on any failure."""
    from hague.ledger.verify_offline import ProofBundle, parse_verifier_key, verify_bundle

    log_keys = [parse_verifier_key(line) for path in key for line in path.read_text().split() if line]
    witnesses = [parse_verifier_key(line) for path in witness_key or [] for line in path.read_text().split() if line]
    try:
        verified = verify_bundle(
            ProofBundle.from_json(bundle.read_bytes()),
            log_keys,
            origin=origin,
            witness_keys=witnesses,
            quorum=quorum,
        )
    except Exception as exc:
        from hague.errors import VerificationError

        if isinstance(exc, VerificationError):
            err_console.print(f"[bold red]NOT VERIFIED[/] at step {exc.details.get('step')}: {exc.message}")
            for name in ("expected", "computed"):
                if name in exc.details:
                    err_console.print(f"  {name}: {exc.details[name]}", highlight=False)
            raise typer.Exit(2) from None
        raise
    cp = verified.checkpoint.checkpoint
    _out(
        f"VERIFIED: entry {verified.index} ({verified.fields().get('type')}) is in {cp.origin} at size {cp.size}, "
        f"root {cp.root.hex()}; cosigned by {len(verified.checkpoint.cosigned_by)} witness(es)\n"
    )


@translate_errors
def verify_cmd(
    no_blobs: Annotated[bool, typer.Option("--no-blobs", help="Skip re-hashing stored blobs.")] = False,
    no_records: Annotated[bool, typer.Option("--no-records", help="Skip recomputing records.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the last interrupted run.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check everything from first principles (fixity, leaves, tree, records, checkpoints, cosignatures)."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from hague.ledger.fsck import verify

    tasks: dict[str, TaskID] = {}
    with (
        instance() as hague,
        Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=err_console,
            disable=as_json,
        ) as bar,
    ):

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        report = verify(hague, blobs=not no_blobs, records=not no_records, resume=resume, progress=progress)
    if as_json:
        print_json(
            {
                "run": report.run_id,
                "status": report.status,
                "size": report.size,
                "root": report.root.hex(),
                "counts": report.counts,
                "findings": [f.to_dict() for f in report.findings],
            }
        )
    else:
        for f in report.findings:
            console.print(f"[red]{f.kind}[/]: {f.subject}: {f.detail}", highlight=False)
        console.print(f"verify run {report.run_id}: {report.status} — {report.size} entries, counts {report.counts}")
    if not report.ok:
        raise typer.Exit(1)


@witness_app.command("add")
@translate_errors
def witness_add(name: str, vkey: str, url: str) -> None:
    """Configure a partner witness (its cosignature key and submission URL)."""
    from hague.ledger.witness_client import add_witness

    with instance() as hague:
        add_witness(hague, name, vkey, url)
    console.print(f"witness {name} added")


@witness_app.command("list")
@translate_errors
def witness_list() -> None:
    """Configured witnesses."""
    from hague.ledger.witness_client import list_witnesses

    with instance() as hague, hague.reader() as session:
        for w in list_witnesses(session):
            _out(f"{w.name}\t{w.url}\t{w.vkey}\n")


@witness_app.command("cosign")
@translate_errors
def witness_cosign() -> None:
    """Ask every configured witness to cosign the latest checkpoint."""
    from hague.ledger.checkpoints import get_checkpoint
    from hague.ledger.witness_client import request_cosignatures

    with instance() as hague:
        with hague.reader() as session:
            row = get_checkpoint(session)
        names = request_cosignatures(hague, row.id)
    console.print(f"cosigned by: {', '.join(names) or 'nobody'}")


@witness_app.command("keygen")
@translate_errors
def witness_keygen(name: str, key_file: Path) -> None:
    """Create a witness cosigning key (file mode 0600); prints its verifier key."""
    from hague.ledger.note import ALG_COSIGNATURE_V1, Signer

    signer = Signer.generate(name, ALG_COSIGNATURE_V1)
    with key_file.open("x") as fh:
        key_file.chmod(0o600)
        fh.write(signer.to_text() + "\n")
    _out(signer.verifier.to_text() + "\n")


@witness_app.command("serve")
@translate_errors
def witness_serve(
    key_file: Annotated[Path, typer.Option(help="Witness signer key file (from `log-witness keygen`).")],
    log_key: Annotated[list[str], typer.Option("--log-key", help="Verifier key of a log to witness.")],
    state: Annotated[Path, typer.Option(help="Witness state file (SQLite).")] = Path("witness.sqlite3"),
    host: str = "127.0.0.1",
    port: int = 7380,
) -> None:
    """Run a witness (tlog-witness add-checkpoint) for the given logs."""
    import uvicorn

    from hague.ledger.note import VerifierKey, parse_signer, parse_verifier_key
    from hague.ledger.witness_server import WitnessState, create_witness_app

    logs: dict[str, list[VerifierKey]] = {}
    for text in log_key:
        key = parse_verifier_key(text)
        logs.setdefault(key.name, []).append(key)
    app = create_witness_app(WitnessState(state), parse_signer(key_file.read_text()), logs)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add the log's commands to the `hague` app."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(proof_app, name="proof")
    app.add_typer(witness_app, name="witness")
    app.command("checkpoint")(checkpoint_cmd)
    app.command("verify-proof")(verify_proof_cmd)
    app.command("verify")(verify_cmd)
