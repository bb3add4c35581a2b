"""Real servers on loopback for the log's tests: a uvicorn witness and an `openssl ts -reply` TSA."""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from hague.ledger.note import ALG_COSIGNATURE_V1, Signer, VerifierKey
from hague.ledger.witness_server import WitnessState, create_witness_app
from tests.support.s3 import free_port


@contextmanager
def witness_server(state: Path, name: str, logs: dict[str, list[VerifierKey]]) -> Iterator[tuple[str, Signer]]:
    """A witness served by uvicorn on 127.0.0.1; yields its URL and signer."""
    signer = Signer.generate(name, ALG_COSIGNATURE_V1)
    app = create_witness_app(WitnessState(state), signer, logs)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to 30 s on a loaded machine
        try:
            if httpx.get(f"{url}/key").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError(f"the witness on {url} did not start")
    try:
        yield url, signer
    finally:
        server.should_exit = True
        thread.join(10)


TSA_CONF = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def make_tsa_pki(folder: Path) -> Path:
    """A test CA and a TSA certificate (critical timeStamping EKU) made with openssl; returns the folder."""
    conf = folder / "ext.cnf"
    conf.write_text(
        "[tsa_ext]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=critical,timeStamping\n"
    )
    run = lambda *args: subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)  # noqa: E731
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Hague test CA",
    )
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Hague test TSA")
    run(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "tsa_ext",
    )
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(TSA_CONF.format(dir=folder))
    return folder


@contextmanager
def tsa_server(folder: Path) -> Iterator[str]:
    """An RFC 3161 timestamp server on loopback answering with `openssl ts -reply`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            with tempfile.NamedTemporaryFile(dir=folder, suffix=".tsq") as tsq:
                tsq.write(query)
                tsq.flush()
                reply = subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(folder / "tsa.cnf"),
                        "-queryfile",
                        tsq.name,
                        "-inkey",
                        str(folder / "tsa.key"),
                        "-signer",
                        str(folder / "tsa.pem"),
                        "-chain",
                        str(folder / "ca.pem"),
                    ],
                    capture_output=True,
                    check=True,
                ).stdout
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
