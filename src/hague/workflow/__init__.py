"""Workflow tracing of custody: SOPs as YAML, conformance of trails, process maps (directly-follows graphs)."""
