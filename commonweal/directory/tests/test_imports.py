"""Imports: validator pass and fail examples, HSDS samples, ORUK v1, feeds; idempotent re-imports; exports."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from commonweal.directory import exports, schemas
from commonweal.directory.importers import run_import, start_import
from commonweal.directory.models import ImportRun, Service, ServiceVersion, TaxonomyTerm
from commonweal.reference_data import standards_dir

OPENREFERRAL = standards_dir() / "openreferral"
MOCKS = OPENREFERRAL / "samples" / "oruk-3.0-validator-mocks" / "OpenReferralApi" / "Mocks"
HSDS_11 = OPENREFERRAL / "samples" / "hsds-1.1-sample-datapackage" / "all_resources"
HSDS_30 = OPENREFERRAL / "hsds-3.0" / "examples" / "csv"
ORUK_V1 = Path(__file__).parent / "data" / "oruk_v1_services.json"


def _import(path: Path, kind: str, *, partial: bool = False, payload: bytes | None = None) -> ImportRun:
    return run_import(start_import(by=None, format=kind, source=str(path), partial=partial, payload=payload))


def _rejections(run: ImportRun) -> list[tuple[int, list[str]]]:
    return [(row["number"], row["reasons"]) for row in run.report if row["result"] == "rejected"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "service_full.json",
        "service_list.json",
        "organization_full.json",
        "service_at_location_full.json",
        "taxonomy.json",
        "taxonomy_term.json",
        "taxonomy_list.json",
        "taxonomy_term_list.json",
    ],
)
def test_every_validator_pass_example_is_accepted(name):
    run = _import(MOCKS / "V3.0-UK-Test" / name, ImportRun.Format.ORUK3_JSON)
    assert run.state == ImportRun.State.FINISHED
    assert run.rejected == 0
    assert run.created + run.updated + run.unchanged == run.total > 0


@pytest.mark.django_db
def test_the_validator_fail_examples_are_rejected_with_their_reasons_and_nothing_is_written():
    run = _import(MOCKS / "V3.0-UK-Fail" / "service_full.json", ImportRun.Format.ORUK3_JSON)
    assert _rejections(run) == [
        (1, ["email: 'email-example_com' is not a 'email'", "url: 'example/counselling' is not a 'uri'"])
    ]
    run = _import(MOCKS / "V3.0-UK-Fail" / "taxonomy_term.json", ImportRun.Format.ORUK3_JSON)
    assert _rejections(run) == [
        (1, ["'description' is a required property", "term_uri: 'example_com' is not a 'uri'"])
    ]
    run = _import(MOCKS / "V3.0-UK-Fail" / "service_list.json", ImportRun.Format.ORUK3_JSON)
    assert [number for number, _ in _rejections(run)] == [1, 2, 3, 4]
    assert all("'name' is a required property" in reasons for _, reasons in _rejections(run))
    assert Service.objects.count() == 0
    assert run.message == (
        "Nothing was imported: 4 of 4 records were rejected. Fix them, or run the import again choosing "
        "to keep the accepted records."
    )


class MockFeed:
    """Serves a validator mock folder the way the validator's mock server does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.asked: list[str] = []

    def __call__(self, url: str) -> object:
        path = url.removeprefix("https://feed.example/openreferral")
        self.asked.append(path)
        if path == "/":
            name = "api_details.json"
        elif path.startswith("/services?"):
            name = "service_list.json"
        else:
            name = "service_full.json"
        return json.loads((self.folder / name).read_text())


@pytest.mark.django_db
def test_a_feed_is_walked_and_the_fail_feed_is_rejected_for_its_root_and_records():
    passing = run_import(
        start_import(
            by=None, format=ImportRun.Format.ORUK3_FEED, source="https://feed.example/openreferral/"
        ),
        fetch=MockFeed(MOCKS / "V3.0-UK-Test"),
    )
    assert (passing.rejected, passing.created) == (0, 1)
    assert passing.report[0]["result"] == "created"
    failing = run_import(
        start_import(
            by=None, format=ImportRun.Format.ORUK3_FEED, source="https://feed.example/openreferral/"
        ),
        fetch=MockFeed(MOCKS / "V3.0-UK-Fail"),
    )
    assert failing.report[0] == {
        "number": 0,
        "kind": "source",
        "id": "",
        "name": "https://feed.example/openreferral/",
        "result": "rejected",
        "reasons": [
            "The feed's root does not give its profile URL.",
            "The feed's openapi_url “docs-openreferraluk-org/en/latest/openapi30.json” is not a web address.",
        ],
    }
    assert failing.rejected == 4


@pytest.mark.django_db
def test_the_hsds_1_1_sample_imports_and_a_second_import_changes_nothing():
    first = _import(HSDS_11, ImportRun.Format.HSDS_CSV)
    assert (first.created, first.updated, first.unchanged, first.rejected) == (13, 0, 0, 0)
    helpline = Service.objects.get(name="Never Homeless Helpline")
    assert helpline.organisation.name == "Sanctuary Example City"
    assert sorted(helpline.languages.values_list("name", flat=True)) == ["English", "Spanish"]
    assert helpline.eligibility_description == "adult"
    sessions = helpline.service_at_locations.get().schedules.order_by("byday")
    assert [(s.byday, str(s.opens_at), str(s.closes_at)) for s in sessions if not s.is_closure] == [
        ("MO", "09:00:00", "17:00:00"),
        ("TU", "09:00:00", "17:00:00"),
        ("WE", "09:00:00", "17:00:00"),
    ]
    versions = ServiceVersion.objects.count()
    second = _import(HSDS_11, ImportRun.Format.HSDS_CSV)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 13, 0)
    assert Service.objects.count() == 13
    assert ServiceVersion.objects.count() == versions


@pytest.mark.django_db
def test_the_hsds_3_0_example_package_imports_once():
    first = _import(HSDS_30, ImportRun.Format.HSDS_CSV)
    assert (first.created, first.rejected) == (1, 0)
    service = Service.objects.get()
    assert service.name == "Community Counselling"
    assert list(service.languages.values_list("name", "code")) == [("Urdu", "ur")]
    assert _import(HSDS_30, ImportRun.Format.HSDS_CSV).unchanged == 1


@pytest.mark.django_db
def test_an_oruk_v1_feed_imports_and_reimports_unchanged():
    first = _import(ORUK_V1, ImportRun.Format.ORUK1_JSON)
    assert (first.created, first.rejected) == (2, 0)
    walk = Service.objects.get(name="Stretford Health Walk")
    assert walk.cost_options.get().amount == 0
    assert walk.service_terms.get().term.name == "Walking"
    assert walk.service_at_locations.get().location.postal_code == "M32 0FP"
    assert _import(ORUK_V1, ImportRun.Format.ORUK1_JSON).unchanged == 2


@pytest.mark.django_db
def test_a_partial_run_keeps_the_accepted_records():
    document = json.loads((MOCKS / "V3.0-UK-Test" / "service_full.json").read_text())
    broken = dict(document, id="9b0e8a5c-7a0c-4d0e-9f59-3d7b1f5e9a01", email="not-an-address")
    payload = json.dumps([document, broken]).encode()
    atomic = _import(Path("two.json"), ImportRun.Format.ORUK3_JSON, payload=payload)
    assert (atomic.created, atomic.rejected) == (0, 1)
    assert Service.objects.count() == 0
    partial = _import(Path("two.json"), ImportRun.Format.ORUK3_JSON, payload=payload, partial=True)
    assert (partial.created, partial.rejected) == (1, 1)
    assert _rejections(partial) == [(2, ["email: 'not-an-address' is not a 'email'"])]


@pytest.mark.django_db
def test_a_file_that_is_not_json_fails_with_a_one_line_message():
    run = _import(Path("broken.json"), ImportRun.Format.ORUK3_JSON, payload=b"{not json")
    assert run.state == ImportRun.State.FAILED
    assert run.message.startswith("broken.json is not valid JSON (")


@pytest.mark.django_db
def test_an_external_taxonomy_csv_imports_with_its_parents(taxonomy):
    csv_text = "code,name,description,parent\nLGA-1,Leisure,,\nLGA-2,Sports facilities,Pools and gyms,LGA-1\n"
    run = _import(Path("LGA service types"), ImportRun.Format.TAXONOMY_CSV, payload=csv_text.encode())
    assert (run.created, run.rejected) == (2, 0)
    child = TaxonomyTerm.objects.get(code="LGA-2")
    assert (child.taxonomy.name, child.parent.name, child.description) == (
        "LGA service types",
        "Leisure",
        "Pools and gyms",
    )


@pytest.mark.django_db
def test_exports_validate_and_the_csv_package_reimports_unchanged(entries, tmp_path):
    exported = exports.oruk_json()
    assert exported["total_items"] == 3
    for document in exported["contents"]:
        assert schemas.problems(document, "service") == []
    for name, text in exports.csv_tables().items():
        (tmp_path / f"{name}.csv").write_text(text)
    run = _import(tmp_path, ImportRun.Format.HSDS_CSV)
    assert (run.created, run.updated, run.unchanged, run.rejected) == (0, 0, 3, 0)
    json_run = _import(
        Path("export.json"), ImportRun.Format.ORUK3_JSON, payload=json.dumps(exported).encode()
    )
    assert (json_run.unchanged, json_run.rejected) == (3, 0)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for name, text in exports.csv_tables().items():
            package.writestr(f"{name}.csv", text)
    zipped = _import(Path("export.zip"), ImportRun.Format.HSDS_CSV, payload=archive.getvalue())
    assert zipped.unchanged == 3
