"""One settings object for the whole of Hague, read from `HAGUE_*` environment variables or a TOML file."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything Hague can be configured with; each field is `HAGUE_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="HAGUE_", extra="forbid")

    data_dir: Path = Field(default=Path("hague-data"), description="Folder for the SQLite file, store and keys.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite at DATA_DIR/hague.sqlite3."
    )
    store_url: str | None = Field(
        default=None, description="Blob store: file:///path (default DATA_DIR/store) or s3://bucket/prefix."
    )
    s3_endpoint_url: str | None = Field(default=None, description="S3 endpoint (for MinIO, Ceph, moto...).")
    s3_region: str = Field(default="us-east-1", description="S3 region name.")
    s3_access_key_id: str | None = Field(default=None, description="S3 access key id.")
    s3_secret_access_key: str | None = Field(default=None, description="S3 secret access key.")
    log_origin: str = Field(default="hague.example/log", description="Origin line of this instance's log.")
    tsa_url: str | None = Field(default=None, description="RFC 3161 timestamp authority for checkpoints (optional).")
    tsa_certificate: Path | None = Field(default=None, description="PEM certificate of the timestamp authority.")
    witness_quorum: int = Field(default=0, ge=0, description="Cosignatures a checkpoint needs to be final.")
    master_key: str | None = Field(default=None, description="Base64 master key for the identity vault.")
    master_key_file: Path | None = Field(default=None, description="File holding the identity vault master key.")
    ingest_workers: int = Field(default=2, ge=1, le=64, description="Parallel hashing workers at intake.")
    max_upload_bytes: int = Field(default=10 * 1024**3, description="Largest upload accepted over HTTP.")
    secret_key: str | None = Field(default=None, description="Session-signing secret for the web app.")
    web_threads: int = Field(
        default=4,
        ge=1,
        le=256,
        description="Threads per web worker running route handlers (fewer contend less for the GIL).",
    )
    map_tiles_url: str | None = Field(
        default=None,
        description="Online map tiles (https://host/{z}/{x}/{y}.png) over the offline base layer; off by default.",
    )
    map_tiles_attribution: str = Field(default="", max_length=300, description="Credit line of the online tiles.")

    @field_validator("map_tiles_url")
    @classmethod
    def _tiles_url(cls, value: str | None) -> str | None:
        """Only an https template with {z}, {x} and {y} (browsers would refuse anything else under our CSP)."""
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.netloc or any(f"{{{k}}}" not in value for k in "zxy"):
            raise ValueError("map_tiles_url must be an https URL template with {z}, {x} and {y}")
        if not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?", parts.netloc):
            raise ValueError("map_tiles_url must name one host (no {s} subdomains, no credentials)")
        return value

    @property
    def map_tiles_origin(self) -> str | None:
        """scheme://host of the online tiles, the one origin the page's CSP then lets images come from."""
        if not self.map_tiles_url:
            return None
        parts = urlsplit(self.map_tiles_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hague.sqlite3').resolve()}"

    @property
    def resolved_store_url(self) -> str:
        """The blob store URL, defaulting to a local folder inside the data dir."""
        if self.store_url:
            return self.store_url
        return (self.data_dir / "store").resolve().as_uri()


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from (lowest first) a TOML file, the environment, then explicit overrides."""
    values: dict[str, Any] = {}
    path = config_file or (Path(os.environ["HAGUE_CONFIG"]) if os.environ.get("HAGUE_CONFIG") else None)
    if path is not None:
        with path.open("rb") as fh:
            values.update(tomllib.load(fh))
    env = Settings()
    merged = {**values, **{k: v for k, v in env.model_dump().items() if k in env.model_fields_set}}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    return Settings.model_validate(merged)
