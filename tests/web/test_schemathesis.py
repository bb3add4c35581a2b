"""schemathesis against the served OpenAPI schema: no 5xx responses and no schema violations."""

from __future__ import annotations

import io
import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks as openapi_checks

from hague.core import Hague
from hague.evidence import register
from hague.web.app import create_app
from tests.web.conftest import World, token_for

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    return sqlite_factory.new(tmp_path)


@pytest.fixture
def api_state(hague: Hague, world: World) -> dict[str, Any]:
    with hague.unit() as unit:
        item = register.get_item(unit.session, world.erns["confidential"])
        blob = hague.store.put_stream(io.BytesIO(b"schemathesis file"))
        file_id = register.attach_file(unit, item, blob.sha256, blob.size, "text/plain", "s.txt").id
    return {
        "headers": token_for(hague, "lead", ["read", "write", "share"]),
        "case": world.case,
        "ern": world.erns["confidential"],
        "file": file_id,
    }


def _operations(hague: Hague) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = schemathesis.openapi.from_asgi(
            "/api/v1/openapi.json", create_app(hague, max_upload=64 * 1024, extract_media=False)
        )
    return [result.ok() for result in loaded.get_all_operations()]


@pytest.mark.slow
def test_api_conforms_to_its_schema(hague: Hague, api_state: dict[str, Any]) -> None:
    operations = _operations(hague)
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            # Half the generated cases are pointed at records that exist, so success paths are exercised too.
            params = case.path_parameters or {}
            if params and hash(str(sorted(params.items()))) % 2 == 0:
                for key in ("code", "ern", "file_id"):
                    if key in params:
                        params[key] = api_state[{"code": "case", "ern": "ern", "file_id": "file"}[key]]
            case.call_and_validate(headers=api_state["headers"], checks=CHECKS)

        check()
