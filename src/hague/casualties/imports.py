"""Import casualty lists from CSV and XLSX through a column mapping saved per source; withdraw an import.

A mapping names, for each record field, the source column that holds it, plus optional value maps
(`{"values": {"sex": {"ч": "male"}}}`) and a date format. Every import is one logged batch; a withdrawal
is an authorised, recorded decision that marks the batch and its rows withdrawn, never deletes them.
Error messages name rows and columns, never the content of name fields.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hague.access.roles import require_role
from hague.casualties import models as m
from hague.casualties.records import import_record, mapping_record, source_record, withdrawal_record
from hague.casualties.translit import is_cyrillic, transliterations
from hague.core import Unit
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence.models import Case, Incident, Item
from hague.evidence.register import _check_text, get_case
from hague.ledger.canonical import record_hash

IMPORT_ROLES = frozenset({"investigator", "analyst", "case_lead", "admin"})
WITHDRAW_ROLES = frozenset({"case_lead", "admin"})
FIELDS = (
    "source_document", "name", "given_name", "surname", "patronymic", "aliases", "sex", "age", "age_group",
    "date", "place_name", "region", "lat", "lon", "territorial_control", "status", "harm_type",
    "circumstances", "alleged_actor", "verification", "incident_id", "evidence_erns",
)  # fmt: skip
NAME_FIELDS = frozenset({"name", "given_name", "surname", "patronymic", "aliases"})
MAX_ROWS = 2_000_000
_SEX = {"m": "male", "male": "male", "f": "female", "female": "female", "ч": "male", "ж": "female", "": "unknown"}
_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{4})-(\d{2})$"), (1, 2, None)),
    (re.compile(r"^(\d{2})\.(\d{4})$"), (2, 1, None)),
    (re.compile(r"^(\d{4})$"), (1, None, None)),
)


def _actor(session: Session, case: Case, username: str, roles: frozenset[str]) -> str:
    from hague.access.roles import get_user

    user = get_user(session, username)
    require_role(session, user, case, roles)
    return user.username


def check_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """Validate a column mapping: `columns` maps record fields to source columns; `values` maps raw values."""
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns"), dict) or not mapping["columns"]:
        raise ValidationError("a mapping needs a non-empty `columns` object", field="mapping")
    unknown = sorted(set(mapping["columns"]) - set(FIELDS))
    if unknown:
        raise ValidationError(f"unknown record fields in mapping: {', '.join(unknown)}", field="mapping")
    if not ({"name", "given_name", "surname"} & set(mapping["columns"])):
        raise ValidationError("a mapping must name a column for the name or the given name/surname", field="mapping")
    for key in ("values",):
        if key in mapping and not isinstance(mapping[key], dict):
            raise ValidationError(f"`{key}` must be an object", field="mapping")
    extra = sorted(set(mapping) - {"columns", "values", "date_format", "defaults", "sheet"})
    if extra:
        raise ValidationError(f"unknown mapping keys: {', '.join(extra)}", field="mapping")
    return mapping


def create_source(unit: Unit, case_code: str, code: str, name: str, source_type: str, actor: str) -> m.CasualtySource:
    """Register a source list on a case."""
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, IMPORT_ROLES)
    code = _check_text(code, "source code", 32).upper()
    if not re.fullmatch(r"[A-Z0-9_-]+", code):
        raise ValidationError("source codes are capital letters, digits, - and _", field="code")
    if source_type not in m.SOURCE_TYPES:
        raise ValidationError(f"source type must be one of {', '.join(m.SOURCE_TYPES)}", field="source_type")
    exists = unit.session.scalar(
        select(m.CasualtySource).where(m.CasualtySource.case_id == case.id, m.CasualtySource.code == code)
    )
    if exists:
        raise Conflict(f"source {code} already exists on {case.code}")
    source = m.CasualtySource(
        case_id=case.id, code=code, name=_check_text(name, "source name", 300), source_type=source_type, created_by=by
    )
    unit.session.add(source)
    unit.session.flush()
    record = source_record(source, case)
    unit.attest(
        "casualties.source_saved",
        {"case": case.code, "source": code, "source_id": source.id, "record": record_hash(record)},
    )
    return source


def get_source(session: Session, case: Case, code: str) -> m.CasualtySource:
    """The source list `code` on `case`."""
    source = session.scalar(
        select(m.CasualtySource).where(m.CasualtySource.case_id == case.id, m.CasualtySource.code == code.upper())
    )
    if source is None:
        raise NotFound(f"no casualty source {code} on {case.code}")
    return source


def save_mapping(unit: Unit, case_code: str, source_code: str, mapping: dict[str, Any], actor: str) -> m.SourceMapping:
    """Save a new version of a source's column mapping (logged); later imports use it by default."""
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, IMPORT_ROLES)
    source = get_source(unit.session, case, source_code)
    version = m.SourceMapping(source_id=source.id, mapping=check_mapping(mapping), saved_by=by)
    unit.session.add(version)
    source.mapping = mapping
    unit.session.flush()
    unit.attest(
        "casualties.mapping_saved",
        {
            "case": case.code,
            "source": source.code,
            "version": version.id,
            "record": record_hash(mapping_record(version)),
        },
    )
    return version


def read_rows(path: Path, sheet: str | None = None) -> Iterator[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file as column -> text."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            try:
                yield from ({k: (v or "") for k, v in row.items() if k is not None} for row in csv.DictReader(fh))
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ValidationError(f"{path.name} is not a readable UTF-8 CSV file", field="file") from exc
        return
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise ValidationError(f"{path.name} is not a readable XLSX workbook", field="file") from exc
        try:
            ws = book[sheet] if sheet else book.worksheets[0]
            rows = ws.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            for values in rows:
                if values is None or all(v is None for v in values):
                    continue
                yield {header[i]: _cell(v) for i, v in enumerate(values) if i < len(header) and header[i]}
        finally:
            book.close()
        return
    raise ValidationError("casualty lists are imported from .csv or .xlsx files", field="file")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(text: str, date_format: str | None = None) -> str:
    """A full or partial date as ISO text: `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (empty if unknown)."""
    text = text.strip()
    if not text:
        return ""
    if date_format:
        try:
            return datetime.strptime(text, date_format).date().isoformat()
        except ValueError as exc:
            raise ValueError("does not match the mapping's date format") from exc
    for pattern, (y, mo, d) in _DATE_FORMS:
        match = pattern.match(text)
        if match:
            year = int(match.group(y))
            parts = [f"{year:04d}"]
            if mo is not None:
                month = int(match.group(mo))
                if not 1 <= month <= 12:
                    raise ValueError("month out of range")
                parts.append(f"{month:02d}")
            if d is not None:
                datetime(year, int(match.group(mo or 0)), int(match.group(d)))
                parts.append(f"{int(match.group(d)):02d}")
            if not 1900 <= year <= 2100:
                raise ValueError("year out of range")
            return "-".join(parts)
    raise ValueError("is not a date (YYYY-MM-DD, DD.MM.YYYY, YYYY-MM, MM.YYYY or YYYY)")


def _choice(value: str, allowed: tuple[str, ...], default: str, field: str, row: int) -> str:
    value = value.strip().lower()
    if not value:
        return default
    if value not in allowed:
        raise ValidationError(f"row {row}: {field} must be one of {', '.join(allowed)}", field=field, row=row)
    return value


def build_record(raw: dict[str, str], mapping: dict[str, Any], row: int) -> dict[str, Any]:
    """Turn one source row into record fields, applying the mapping; errors never quote name content."""
    columns: dict[str, str] = mapping["columns"]
    values: dict[str, dict[str, str]] = mapping.get("values", {})
    defaults: dict[str, str] = mapping.get("defaults", {})
    get: dict[str, str] = {}
    for field in FIELDS:
        column = columns.get(field)
        text = raw.get(column, "") if column else ""
        text = (text or defaults.get(field, "")).strip()
        if field in values and text in values[field]:
            text = values[field][text]
        if len(text) > 2000 or "\x00" in text:
            raise ValidationError(
                f"row {row}: field {field} is too long or has control characters", field=field, row=row
            )
        get[field] = text
    given, surname, patronymic = get["given_name"], get["surname"], get["patronymic"]
    if not (get["name"] or given or surname):
        raise ValidationError(f"row {row}: no name", field="name", row=row)
    if get["name"] and not (given or surname):
        # Ukrainian order is Surname Given Patronymic
        parts = get["name"].split()
        surname, given, patronymic = [*parts, "", "", ""][:3] if len(parts) >= 2 else (parts[0], "", "")
    original = get["name"] or " ".join(p for p in (surname, given, patronymic) if p)
    age: int | None = None
    if get["age"]:
        try:
            age = int(float(get["age"]))
        except ValueError:
            raise ValidationError(f"row {row}: age is not a number", field="age", row=row) from None
        if not 0 <= age <= 120:
            raise ValidationError(f"row {row}: age out of range", field="age", row=row)
    age_group = _choice(get["age_group"], m.AGE_GROUPS, "unknown", "age_group", row)
    if age is not None:
        age_group = "child" if age < 18 else "adult"
    sex_raw = get["sex"].strip().lower()
    if sex_raw not in _SEX and sex_raw not in m.SEXES:
        raise ValidationError(f"row {row}: sex must be male, female or unknown (or mapped)", field="sex", row=row)
    try:
        date_text = parse_date(get["date"], mapping.get("date_format"))
    except ValueError as exc:
        raise ValidationError(f"row {row}: date {exc}", field="date", row=row) from None
    lat = lon = None
    if get["lat"] or get["lon"]:
        try:
            lat, lon = float(get["lat"]), float(get["lon"])
        except ValueError:
            raise ValidationError(f"row {row}: coordinates are not numbers", field="lat", row=row) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(f"row {row}: coordinates out of range", field="lat", row=row)
    translit = transliterations(original) if is_cyrillic(original) else []
    return {
        "source_document": get["source_document"],
        "name_original": original[:300],
        "given_name": given[:120],
        "surname": surname[:120],
        "patronymic": patronymic[:120],
        "transliterations": translit,
        "aliases": [a.strip() for a in get["aliases"].split(";") if a.strip()],
        "sex": _SEX.get(sex_raw, sex_raw),
        "age": age,
        "age_group": age_group,
        "date_text": date_text,
        "place_name": get["place_name"][:300],
        "region": get["region"][:80],
        "lat": lat,
        "lon": lon,
        "territorial_control": _choice(get["territorial_control"], m.CONTROL, "unknown", "territorial_control", row),
        "status": _choice(get["status"], m.STATUSES, "unknown", "status", row),
        "harm_type": get["harm_type"][:120],
        "circumstances": get["circumstances"],
        "alleged_actor": get["alleged_actor"][:200],
        "verification": _choice(get["verification"], m.VERIFICATION, "reported", "verification", row),
        "incident_id": get["incident_id"],
        "evidence_erns": [e.strip() for e in get["evidence_erns"].split(";") if e.strip()],
    }


def import_file(
    unit: Unit,
    case_code: str,
    source_code: str,
    path: Path,
    actor: str,
    mapping: dict[str, Any] | None = None,
) -> m.CasualtyImport:
    """Import every row of `path` into the source list as one logged batch; all rows or none."""
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, IMPORT_ROLES)
    source = get_source(unit.session, case, source_code)
    if mapping is not None:
        save_mapping(unit, case_code, source_code, mapping, actor)
    mapping = source.mapping
    if not mapping:
        raise ValidationError(f"source {source.code} has no saved column mapping: give one", field="mapping")
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    duplicate = unit.session.scalar(
        select(m.CasualtyImport).where(
            m.CasualtyImport.source_id == source.id,
            m.CasualtyImport.sha256 == sha256,
            m.CasualtyImport.withdrawn.is_(False),
        )
    )
    if duplicate:
        raise Conflict(f"this file was already imported into {source.code} (import {duplicate.id})")
    incidents = {str(i) for i in unit.session.scalars(select(Incident.id).where(Incident.case_id == case.id))}
    erns = set(unit.session.scalars(select(Item.ern).where(Item.case_id == case.id)))
    built: list[dict[str, Any]] = []
    for number, raw in enumerate(read_rows(path, mapping.get("sheet")), start=1):
        if number > MAX_ROWS:
            raise ValidationError(f"a single import holds at most {MAX_ROWS} rows", field="file")
        fields = build_record(raw, mapping, number)
        if fields["incident_id"]:
            if fields["incident_id"] not in incidents:
                raise ValidationError(f"row {number}: incident not found in this case", field="incident_id", row=number)
            fields["incident_id"] = int(fields["incident_id"])
        else:
            fields["incident_id"] = None
        if any(ern not in erns for ern in fields["evidence_erns"]):
            raise ValidationError(
                f"row {number}: evidence ERN not found in this case", field="evidence_erns", row=number
            )
        built.append(fields)
    if not built:
        raise ValidationError(f"{path.name} has no data rows", field="file")
    batch = m.CasualtyImport(
        case_id=case.id,
        source_id=source.id,
        file_name=path.name[:300],
        sha256=sha256,
        file_format=path.suffix.lower().lstrip("."),
        mapping=mapping,
        rows=len(built),
        imported_by=by,
    )
    unit.session.add(batch)
    unit.session.flush()
    unit.session.add_all(
        m.CasualtyRecord(case_id=case.id, import_id=batch.id, source_id=source.id, row_number=i, **fields)
        for i, fields in enumerate(built, start=1)
    )
    unit.session.flush()
    unit.attest(
        "casualties.imported",
        {
            "case": case.code,
            "source": source.code,
            "import": batch.id,
            "rows": batch.rows,
            "sha256": sha256,
            "record": record_hash(import_record(unit.session, batch)),
        },
    )
    return batch


def withdraw_import(unit: Unit, case_code: str, import_id: int, actor: str, reason: str) -> m.CasualtyImport:
    """Withdraw an import by an authorised, recorded decision: the batch and its rows are marked, not deleted."""
    case = get_case(unit.session, case_code)
    by = _actor(unit.session, case, actor, WITHDRAW_ROLES)
    batch = unit.session.get(m.CasualtyImport, import_id)
    if batch is None or batch.case_id != case.id:
        raise NotFound(f"no casualty import {import_id} on {case.code}")
    if batch.withdrawn:
        raise Conflict(f"import {import_id} is already withdrawn")
    from hague.db.base import utcnow

    batch.withdrawn = True
    batch.withdrawn_by = by
    batch.withdrawn_at = utcnow()
    batch.withdrawal_reason = _check_text(reason, "reason", 2000)
    unit.session.execute(
        update(m.CasualtyRecord).where(m.CasualtyRecord.import_id == batch.id).values(withdrawn=True, victim_code=None)
    )
    unit.session.flush()
    unit.attest(
        "casualties.import_withdrawn",
        {"case": case.code, "import": batch.id, "by": by, "record": record_hash(withdrawal_record(batch))},
    )
    return batch


def write_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of a list of flat dicts (used by tests and reports)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
