"""The normaliser turns raw parser output into suggestions; it never raises and never yields floats."""

from __future__ import annotations

from hague.media.normalise import parse_time, suggestions


def test_long_video_keeps_its_duration() -> None:
    raw = {"ffprobe": {"format": {"duration": "5423.120000", "tags": {"location": "+50.45+030.52/"}}}}
    media = suggestions(raw)["media"]
    assert media == {"duration_s": "5423.120000", "location_tag": "+50.45+030.52/"}


def test_high_altitude_and_accuracy_are_kept() -> None:
    raw = {"exiftool": {"Composite:GPSLatitude": "48.0", "Composite:GPSLongitude": "37.8", "GPS:GPSAltitude": "1843.2",
                        "GPS:GPSHPositioningError": "35"}}  # fmt: skip
    assert suggestions(raw)["place"] == {
        "lat": "48.0", "lon": "37.8", "source": "embedded GPS", "altitude_m": "1843.2", "accuracy_m": "35",
    }  # fmt: skip


def test_null_island_is_not_a_place() -> None:
    assert "place" not in suggestions({"exiftool": {"Composite:GPSLatitude": "0", "Composite:GPSLongitude": "0"}})


def test_out_of_range_coordinates_are_refused() -> None:
    assert "place" not in suggestions({"exiftool": {"Composite:GPSLatitude": "91", "Composite:GPSLongitude": "10"}})


def test_placeholder_dates_are_not_capture_times() -> None:
    assert parse_time("0000:00:00 00:00:00") is None
    assert "captured" not in suggestions({"exiftool": {"ExifIFD:DateTimeOriginal": "0000:00:00 00:00:00"}})


def test_a_time_without_zone_says_so() -> None:
    assert parse_time("2024:03:01 10:22:33") == {"local": "2024-03-01T10:22:33"}


def test_malformed_container_tags_do_not_raise() -> None:
    assert "media" not in suggestions({"ffprobe": {"format": {"tags": ["not", "a", "dict"]}, "streams": "x"}})


def test_southern_and_western_positions_are_negative() -> None:
    raw = {"exiftool": {"GPS:GPSLatitudeRef": "S", "GPS:GPSLatitude": "33.8688", "GPS:GPSLongitudeRef": "W",
                        "GPS:GPSLongitude": "70.6693", "GPS:GPSAltitudeRef": 1, "GPS:GPSAltitude": "12.5"}}  # fmt: skip
    place = suggestions(raw)["place"]
    assert (place["lat"], place["lon"], place["altitude_m"]) == ("-33.8688", "-70.6693", "-12.5")


def test_signed_composite_values_win_when_present() -> None:
    raw = {"exiftool": {"GPS:GPSLatitude": "33.8688", "GPS:GPSLatitudeRef": "S", "Composite:GPSLatitude": "-33.8688",
                        "GPS:GPSLongitude": "151.2093", "Composite:GPSLongitude": "151.2093"}}  # fmt: skip
    assert (suggestions(raw)["place"]["lat"], suggestions(raw)["place"]["lon"]) == ("-33.8688", "151.2093")


def test_video_position_from_quicktime_iso6709() -> None:
    place = suggestions({"exiftool": {"Keys:Location": "-33.8688+151.2093/"}})["place"]
    assert (place["lat"], place["lon"], place["source"]) == ("-33.8688", "151.2093", "embedded position (Location)")


def test_video_position_from_container_tags() -> None:
    place = suggestions({"ffprobe": {"format": {"tags": {"location": "+50.4501+030.5233/"}}}})["place"]
    assert (place["lat"], place["lon"]) == ("50.4501", "30.5233")
