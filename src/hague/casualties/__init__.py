"""Civilian casualty recording: records from many lists, linkage, documented counts, and estimates (DOMAIN.md §7)."""

from hague.casualties import records as records  # registers the record checks `verify` runs
