"""Raw parser output → suggestions for the collection record (place, capture time, device, software).

Pure functions over untrusted dictionaries: they MUST NOT raise on any JSON-like input (the fuzz run
checks this), and they never produce floats (the log's canonical JSON refuses them).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

MAX_TEXT = 4096
MAX_KEYS = 2000
MAX_DEPTH = 8
EXIF_DATE = re.compile(
    r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+\-]\d{2}:?\d{2})?\s*$"
)
OFFSET = re.compile(r"^\s*([+\-])(\d{2}):?(\d{2})\s*$")
DECIMAL = re.compile(r"^\s*[+\-]?\d{1,3}(\.\d+)?\s*$")  # a coordinate
ISO6709 = re.compile(r"^\s*([+\-]\d{1,2}(?:\.\d+)?)([+\-]\d{1,3}(?:\.\d+)?)")
LOCATION_INFORMATION = re.compile(r"Lat=([+\-]?\d{1,2}(?:\.\d+)?) Lon=([+\-]?\d{1,3}(?:\.\d+)?)")
NUMBER = re.compile(r"^\s*[+\-]?\d{1,12}(\.\d+)?\s*$")  # altitude, accuracy, duration


def plain(value: Any, depth: int = 0) -> Any:
    """A JSON value with floats as decimal text, long strings cut, bounded depth and width."""
    if depth > MAX_DEPTH:
        return "…"
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        text = value.replace("\x00", "")
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    if isinstance(value, dict):
        return {str(k)[:200]: plain(v, depth + 1) for k, v in list(value.items())[:MAX_KEYS]}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in list(value)[:MAX_KEYS]]
    return plain(str(value), depth + 1)


def _tags(raw: Any) -> dict[str, Any]:
    """Exiftool `Group:Name` keys → {Name: value} keeping the first group seen for each name."""
    out: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return out
    for key, value in raw.items():
        name = str(key).rsplit(":", 1)[-1]
        if str(key).startswith("System:") or name in out:
            continue
        out[name] = value
    return out


def _first(tags: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = tags.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value[:50] if not isinstance(v, dict | list))
    text = str(value).replace("\x00", "").strip()
    return text[:MAX_TEXT] or None


def _offset(text: Any) -> timezone | None:
    match = OFFSET.match(str(text)) if isinstance(text, str | int) else None
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def parse_time(value: Any, zone: Any = None) -> dict[str, str] | None:
    """An EXIF/QuickTime/ISO date as {local, zone, utc}; `zone` (e.g. OffsetTimeOriginal) wins over none."""
    if not isinstance(value, str):
        return None
    match = EXIF_DATE.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, _frac, tz = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if local.year < 1900:
        return None  # 0000:00:00 and similar placeholders
    tzinfo = UTC if tz == "Z" else _offset(tz) if tz else _offset(zone)
    out = {"local": local.isoformat()}
    if tzinfo is not None:
        aware = local.replace(tzinfo=tzinfo)
        out["zone"] = aware.strftime("%z")[:3] + ":" + aware.strftime("%z")[3:]
        out["utc"] = aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return out


def _coordinate(value: Any, limit: int) -> str | None:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
    if text is None or not DECIMAL.match(text):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if not -limit <= number <= limit:
        return None
    return format(Decimal(text.strip()), "f")  # `+030.50` → `30.50`: one spelling per value


def _signed(value: Any, ref: Any) -> Any:
    """EXIF stores latitude/longitude unsigned with an N/S or E/W reference; south and west are negative."""
    if isinstance(value, str | int) and not isinstance(value, bool) and str(ref).strip().upper()[:1] in ("S", "W"):
        text = str(value).strip()
        return text if text.startswith("-") else "-" + text.lstrip("+")
    return value


def _iso6709(text: Any) -> tuple[str, str] | None:
    """Latitude and longitude from an ISO 6709 string such as `+50.4501+030.5233/` (QuickTime, ffprobe)."""
    match = ISO6709.match(text) if isinstance(text, str) else None
    return (match.group(1), match.group(2)) if match else None


def _video_position(raw_exif: dict[str, Any], tags: dict[str, Any], ffprobe: Any) -> tuple[Any, Any, str] | None:
    for name in ("Location", "GPSCoordinates"):
        value = tags.get(name)
        found = _iso6709(value)
        if found:
            return (*found, name)
        parts = value.split() if isinstance(value, str) else []
        if len(parts) >= 2:
            return parts[0], parts[1], name
    info = tags.get("LocationInformation")
    match = LOCATION_INFORMATION.search(info) if isinstance(info, str) else None
    if match:
        return match.group(1), match.group(2), "LocationInformation"
    fmt = ffprobe.get("format") if isinstance(ffprobe, dict) else None
    ftags = fmt.get("tags") if isinstance(fmt, dict) else None
    if isinstance(ftags, dict):
        for name in ("location", "com.apple.quicktime.location.ISO6709"):
            found = _iso6709(ftags.get(name))
            if found:
                return (*found, f"container {name}")
    return None


def _place(raw_exif: dict[str, Any], tags: dict[str, Any], ffprobe: Any) -> dict[str, Any] | None:
    """The embedded position: signed Composite values, else EXIF GPS with its references, else video tags."""
    lat, lon = raw_exif.get("Composite:GPSLatitude"), raw_exif.get("Composite:GPSLongitude")
    source = "embedded GPS"
    if lat is None or lon is None:
        lat = _signed(_first(tags, "GPSLatitude"), tags.get("GPSLatitudeRef"))
        lon = _signed(_first(tags, "GPSLongitude"), tags.get("GPSLongitudeRef"))
    if lat is None or lon is None:
        found = _video_position(raw_exif, tags, ffprobe)
        if found:
            lat, lon, where = found
            source = f"embedded position ({where})"
    lat, lon = _coordinate(lat, 90), _coordinate(lon, 180)
    if lat is None or lon is None or (float(lat) == 0 and float(lon) == 0):
        return None
    place: dict[str, Any] = {"lat": lat, "lon": lon, "source": source}
    altitude = _first(tags, "GPSAltitude")
    if isinstance(altitude, str | int) and not isinstance(altitude, bool) and NUMBER.match(str(altitude)):
        below = str(tags.get("GPSAltitudeRef", "")).strip() == "1"  # 1 = below sea level
        place["altitude_m"] = ("-" if below and not str(altitude).startswith("-") else "") + str(altitude).strip()
    accuracy = _first(tags, "GPSHPositioningError")
    if isinstance(accuracy, str | int) and not isinstance(accuracy, bool) and NUMBER.match(str(accuracy)):
        place["accuracy_m"] = str(accuracy)
    return place


def _capture_time(tags: dict[str, Any], ffprobe: Any) -> dict[str, str] | None:
    zone = _first(tags, "OffsetTimeOriginal", "OffsetTimeDigitized", "OffsetTime", "TimeZone")
    for name in ("SubSecDateTimeOriginal", "DateTimeOriginal", "DateCreated", "CreationDate"):
        parsed = parse_time(tags.get(name), zone)
        if parsed:
            return {**parsed, "source": name}
    quicktime = parse_time(tags.get("CreateDate"), "+00:00") if _is_quicktime(tags) else None
    if quicktime:  # QuickTime stores UTC (ISO/IEC 14496-12); the local zone is unknown
        return {"utc": quicktime["utc"], "zone": "", "local": "", "source": "QuickTime CreateDate (UTC)"}
    if isinstance(ffprobe, dict):
        fmt = ffprobe.get("format")
        ftags = fmt.get("tags") if isinstance(fmt, dict) else None
        created = ftags.get("creation_time") if isinstance(ftags, dict) else None
        parsed = parse_time(created.replace("T", " ") if isinstance(created, str) else None)
        if parsed and "utc" in parsed:
            return {"utc": parsed["utc"], "zone": "", "local": "", "source": "container creation_time"}
    for name in ("CreateDate", "ModifyDate"):
        parsed = parse_time(tags.get(name), zone)
        if parsed:
            return {**parsed, "source": name}
    return None


def _is_quicktime(tags: dict[str, Any]) -> bool:
    mime = tags.get("MIMEType")
    return isinstance(mime, str) and (mime.startswith("video/") or mime in ("audio/mp4", "image/heic"))


def _media(tags: dict[str, Any], ffprobe: Any) -> dict[str, Any] | None:
    media: dict[str, Any] = {}
    for key, names in (("width", ("ImageWidth", "SourceImageWidth")), ("height", ("ImageHeight", "SourceImageHeight"))):
        value = _first(tags, *names)
        if isinstance(value, int) and not isinstance(value, bool):
            media[key] = value
    if isinstance(ffprobe, dict):
        fmt = ffprobe.get("format") if isinstance(ffprobe.get("format"), dict) else {}
        duration = fmt.get("duration") if isinstance(fmt, dict) else None
        if isinstance(duration, str) and NUMBER.match(duration):
            media["duration_s"] = duration
        codecs = []
        streams = ffprobe.get("streams")
        for stream in streams if isinstance(streams, list) else []:
            if isinstance(stream, dict) and isinstance(stream.get("codec_name"), str):
                codecs.append(f"{stream.get('codec_type', '?')}:{stream['codec_name']}")
                if stream.get("codec_type") == "video":
                    for key in ("width", "height"):
                        if isinstance(stream.get(key), int) and not isinstance(stream.get(key), bool):
                            media[key] = stream[key]
        if codecs:
            media["codecs"] = codecs[:20]
        ftags = fmt.get("tags") if isinstance(fmt, dict) else None
        location = _first(ftags if isinstance(ftags, dict) else {}, "location", "com.apple.quicktime.location.ISO6709")
        if isinstance(location, str):
            media["location_tag"] = location[:100]
    return media or None


def _document(tags: dict[str, Any]) -> dict[str, Any] | None:
    doc: dict[str, Any] = {}
    for key, names in (
        ("title", ("Title", "ObjectName")),
        ("author", ("Author", "Creator", "By-line", "Artist", "LastModifiedBy")),
        ("producer", ("Producer",)),
        ("description", ("Description", "Caption-Abstract", "ImageDescription", "Subject")),
        ("keywords", ("Keywords",)),
        ("city", ("City",)),
        ("country", ("Country", "Country-PrimaryLocationName")),
    ):
        text = _text(_first(tags, *names))
        if text:
            doc[key] = text
    pages = _first(tags, "PageCount", "Pages")
    if isinstance(pages, int) and not isinstance(pages, bool):
        doc["page_count"] = pages
    return doc or None


def suggestions(raw: dict[str, Any]) -> dict[str, Any]:
    """Suggested collection-record fields from the merged parser output (never raises)."""
    tags = _tags(raw.get("exiftool"))
    fallback = _tags(raw.get("pillow", {}).get("exif") if isinstance(raw.get("pillow"), dict) else None)
    for name, value in fallback.items():
        tags.setdefault(name, value)
    out: dict[str, Any] = {}
    mime = _text(_first(tags, "MIMEType")) or _text(raw.get("sniffed_mime"))
    if mime:
        out["mime_type"] = mime
    found = raw.get("exiftool")
    exif_raw: dict[str, Any] = found if isinstance(found, dict) else {}
    place = _place(exif_raw, tags, raw.get("ffprobe"))
    if place:
        out["place"] = place
    captured = _capture_time(tags, raw.get("ffprobe"))
    if captured:
        out["captured"] = captured
    device = {
        key: text
        for key, names in (
            ("make", ("Make",)),
            ("model", ("Model", "CameraModelName")),
            ("serial", ("SerialNumber", "BodySerialNumber", "InternalSerialNumber", "CameraSerialNumber")),
            ("lens", ("LensModel",)),
        )
        if (text := _text(_first(tags, *names)))
    }
    if device:
        out["device"] = device
    software = [
        t for n in ("Software", "CreatorTool", "HistorySoftwareAgent", "Application") if (t := _text(tags.get(n)))
    ]
    if software:
        out["software"] = software
    for key, value in (("media", _media(tags, raw.get("ffprobe"))), ("document", _document(tags))):
        if value:
            out[key] = value
    for key in ("c2pa", "web_capture"):
        if isinstance(raw.get(key), dict):
            out[key] = plain(raw[key])
    return plain(out)  # type: ignore[no-any-return]
