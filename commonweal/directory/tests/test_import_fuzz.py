"""Every importer fed malformed files (issue 12, item 9): truncated, wrong encoding, BOMs, wrong types,
missing required fields, duplicate ids, huge fields and random bytes.

Whatever comes in, the run ends FINISHED or FAILED with a message a steward can act on (never the
"error on our side" one, which would mean an exception escaped the checks), and the database holds
exactly what it held before unless the run reports records it created or updated. Each example runs
in a savepoint rolled back after it; hypothesis is bounded by examples, never by time.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweal.directory import models
from commonweal.directory.importers import WRONG_SHAPE, run_import, start_import
from commonweal.directory.models import ImportRun
from commonweal.directory.tests.test_imports import HSDS_30, MOCKS, ORUK_V1

ORUK3_SERVICE = json.loads((MOCKS / "V3.0-UK-Test" / "service_full.json").read_text())
ORUK1_FEED = json.loads(ORUK_V1.read_text())
HSDS_TABLES = {path.name: path.read_bytes() for path in sorted(HSDS_30.glob("*.csv"))}
TAXONOMY_CSV = b"code,name,description,parent\nfood,Food,Food help,\nbanks,Food banks,Banks,food\n"
MODELS = [
    models.Service,
    models.DirectoryOrganisation,
    models.Location,
    models.ServiceAtLocation,
    models.Schedule,
    models.Contact,
    models.CostOption,
    models.Language,
    models.ServiceArea,
    models.Funding,
    models.Taxonomy,
    models.TaxonomyTerm,
    models.ServiceTerm,
    models.ServiceVersion,
    models.SearchDocument,
]
ON_OUR_SIDE = "The import stopped because of an error on our side"
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _zip(tables: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in tables.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _snapshot() -> list[int]:
    return [model._default_manager.count() for model in MODELS]


def _check_one(format: str, payload: bytes, partial: bool) -> None:
    with transaction.atomic():
        before = _snapshot()
        run = run_import(
            start_import(by=None, format=format, source="fuzz", payload=payload, partial=partial)
        )
        run.refresh_from_db()
        assert run.state in {ImportRun.State.FINISHED, ImportRun.State.FAILED}, run.state
        assert run.message, "a run must say what became of it"
        assert ON_OUR_SIDE not in run.message, payload[:300]
        assert run.payload is None
        if run.state == ImportRun.State.FAILED or run.created + run.updated == 0:
            assert _snapshot() == before, run.message
        transaction.set_rollback(True)


# ------------------------------------------------------------------ malformed bytes, any format ---------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


HUGE_TEXT = st.builds(
    lambda letter, length: letter * length,
    st.sampled_from(["a", "é", "\u202e", "\u200b"]),
    st.integers(1, 200_000),
)


def _mangled(seed: bytes) -> st.SearchStrategy[bytes]:
    """Truncations, re-encodings, BOMs, and bytes flipped or sprinkled into a good file."""
    return st.one_of(
        st.integers(0, len(seed)).map(lambda cut: seed[:cut]),
        st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]).map(
            lambda codec: seed.decode("utf-8", errors="replace").encode(codec, errors="replace")
        ),
        st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]).map(
            lambda bom: bom + seed
        ),
        st.tuples(st.integers(0, max(len(seed) - 1, 0)), st.binary(min_size=1, max_size=8)).map(
            lambda spot: seed[: spot[0]] + spot[1] + seed[spot[0] + len(spot[1]) :]
        ),
        st.binary(max_size=2000),
    )


@pytest.mark.django_db
def test_oruk3_json_malformed_bytes(taxonomy):
    seed = json.dumps(ORUK3_SERVICE).encode()

    @FUZZ
    @given(payload=_mangled(seed), partial=st.booleans())
    def check(payload: bytes, partial: bool) -> None:
        _check_one(ImportRun.Format.ORUK3_JSON, payload, partial)

    check()


@pytest.mark.django_db
def test_oruk3_json_wrong_types_missing_fields_repeated_ids_and_huge_fields(taxonomy):
    keys = sorted(ORUK3_SERVICE)

    def service_with(changes: dict[str, Any], dropped: list[str]) -> dict[str, Any]:
        document = {key: value for key, value in ORUK3_SERVICE.items() if key not in dropped}
        return {**document, **changes}

    documents = st.builds(
        service_with,
        st.dictionaries(
            st.sampled_from(keys),
            JSON_VALUES | HUGE_TEXT,
            max_size=3,
        ),
        st.lists(st.sampled_from(keys), max_size=4),
    )
    shapes = st.one_of(
        documents,
        st.lists(documents, min_size=2, max_size=3),  # the same id more than once
        documents.map(lambda document: {"contents": [document, document], "total_items": "many"}),
        JSON_VALUES,
    )

    @FUZZ
    @given(data=shapes, partial=st.booleans())
    def check(data: Any, partial: bool) -> None:
        _check_one(ImportRun.Format.ORUK3_JSON, json.dumps(data).encode(), partial)

    check()


@pytest.mark.django_db
def test_oruk1_json_malformed(taxonomy):
    seed = json.dumps(ORUK1_FEED).encode()
    service = ORUK1_FEED["content"][0]
    changed = st.dictionaries(st.sampled_from(sorted(service)), JSON_VALUES, max_size=3).map(
        lambda changes: json.dumps({**ORUK1_FEED, "content": [{**service, **changes}]}).encode()
    )

    @FUZZ
    @given(payload=st.one_of(_mangled(seed), changed), partial=st.booleans())
    def check(payload: bytes, partial: bool) -> None:
        _check_one(ImportRun.Format.ORUK1_JSON, payload, partial)

    check()


@pytest.mark.django_db
def test_hsds_csv_zip_malformed(taxonomy):
    names = sorted(HSDS_TABLES)
    cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
    rows = st.lists(st.lists(cells, min_size=1, max_size=6), max_size=5)

    def table_of(header: list[str], body: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(body)
        return buffer.getvalue().encode()

    services_header = HSDS_TABLES["services.csv"].decode("utf-8-sig").splitlines()[0].split(",")
    replaced = st.builds(
        lambda name, content: _zip({**HSDS_TABLES, name: content}),
        st.sampled_from(names),
        st.one_of(
            _mangled(HSDS_TABLES["services.csv"]),
            st.builds(table_of, st.lists(st.sampled_from(services_header), max_size=6), rows),
        ),
    )
    duplicated = st.just(
        _zip({**HSDS_TABLES, "services.csv": HSDS_TABLES["services.csv"] + HSDS_TABLES["services.csv"]})
    )
    whole = _zip(HSDS_TABLES)

    @FUZZ
    @given(payload=st.one_of(replaced, duplicated, _mangled(whole)), partial=st.booleans())
    def check(payload: bytes, partial: bool) -> None:
        _check_one(ImportRun.Format.HSDS_CSV, payload, partial)

    check()


@pytest.mark.django_db
def test_taxonomy_csv_malformed(taxonomy):
    lines = st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=12)).map(
            ",".join
        ),
        max_size=6,
    )

    @FUZZ
    @given(
        payload=st.one_of(
            _mangled(TAXONOMY_CSV),
            lines.map(lambda body: ("code,name,description,parent\n" + "\n".join(body)).encode()),
            st.just(TAXONOMY_CSV + b"banks,Again,Duplicate code,food\nloop,Loop,Own parent,loop\n"),
        ),
        partial=st.booleans(),
    )
    def check(payload: bytes, partial: bool) -> None:
        _check_one(ImportRun.Format.TAXONOMY_CSV, payload, partial)

    check()


@pytest.mark.django_db
def test_an_oruk1_service_with_fields_of_the_wrong_type_is_rejected_with_a_reason(taxonomy):
    # Found by the fuzzing above: the conversion raised AttributeError and the run died.
    service = {**ORUK1_FEED["content"][0], "service_at_locations": ["not an object"]}
    payload = json.dumps({**ORUK1_FEED, "content": [service, ORUK1_FEED["content"][1]]}).encode()
    run = run_import(start_import(by=None, format=ImportRun.Format.ORUK1_JSON, source="v1", payload=payload))
    assert (run.state, run.rejected, run.created) == (ImportRun.State.FINISHED, 1, 0)
    assert run.report[0]["reasons"] == [WRONG_SHAPE]
    assert models.Service.objects.count() == 0
