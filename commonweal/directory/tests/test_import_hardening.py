"""Imports under attack (issue 12, findings 7, 8 and 9): zip bombs and oversized uploads, concurrent runs,
feed addresses that point inside the network, and JSON nested deeply enough to break the parser.

Feeds are served by small HTTP servers on 127.0.0.1 (the tests may reach nothing else); a host name is
made to resolve where a test needs by replacing the importer's resolver.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.directory import feeds, importers
from commonweal.directory.importers import run_import, start_import
from commonweal.directory.models import DirectoryOrganisation, ImportRun, Service, TaxonomyTerm
from commonweal.directory.tasks import run_import_task
from commonweal.directory.tests.test_imports import MOCKS
from tests.factories import make_persona

COULD_NOT_FETCH = feeds.COULD_NOT_FETCH


def _snapshot() -> tuple[int, int, int]:
    return (Service.objects.count(), DirectoryOrganisation.objects.count(), TaxonomyTerm.objects.count())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# ------------------------------------------------------------------ finding 7: the CSV-zip import --------


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_unpacked_and_nothing_is_written(taxonomy):
    # 60 MB of one character compresses to about 60 KB: far past any real CSV package's ratio.
    bomb = _zip({"services.csv": b"id,name,description\n" + b"0" * (60 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024
    before = _snapshot()
    run = run_import(start_import(by=None, format=ImportRun.Format.HSDS_CSV, source="bomb.zip", payload=bomb))
    assert run.state == ImportRun.State.FAILED
    assert run.message.startswith("bomb.zip was refused: services.csv would unpack to ")
    assert run.payload is None
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_zip_whose_tables_unpack_past_the_total_cap_is_refused(taxonomy, settings):
    settings.DIRECTORY_IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    # Random-looking text compresses poorly, so only the total size can refuse it.
    rows = "".join(
        f"s{number},Service {number * 7919 % 100003},{number * 104729}\n" for number in range(25000)
    )
    table = ("id,name,description\n" + rows).encode()
    assert 512 * 1024 < len(table) < 1024 * 1024
    package = _zip({"services.csv": table, "organizations.csv": table})
    run = run_import(
        start_import(by=None, format=ImportRun.Format.HSDS_CSV, source="big.zip", payload=package)
    )
    assert run.state == ImportRun.State.FAILED
    assert run.message == "big.zip was refused: its tables would unpack to more than 1.0 MB."
    assert _snapshot() == (0, 0, TaxonomyTerm.objects.count())


@pytest.mark.django_db
def test_a_table_with_more_rows_than_the_cap_is_refused(taxonomy, settings):
    settings.DIRECTORY_IMPORT_MAX_ROWS = 100
    rows = "".join(f"s{number},Service {number},A service.\n" for number in range(101))
    package = _zip({"services.csv": ("id,name,description\n" + rows).encode()})
    before = _snapshot()
    run = run_import(
        start_import(by=None, format=ImportRun.Format.HSDS_CSV, source="rows.zip", payload=package)
    )
    assert run.state == ImportRun.State.FAILED
    assert run.message == "rows.zip was refused: services.csv has more than 100 rows."
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_upload_over_the_cap_is_refused_on_the_form_and_no_run_is_made(places):
    steward = make_persona(Role.COMMUNITY_ORGANISER, places)
    upload = SimpleUploadedFile("huge.json", b" " * (10 * 1024 * 1024 + 1), "application/json")
    response = _client(steward).post("/directory/imports/", {"format": "oruk3_json", "file": upload})
    assert response.status_code == 400
    assert "The file is 10.0 MB; the largest file an import takes is 10.0 MB" in response.content.decode()
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_payload_is_refused_by_the_action_too(settings):
    settings.DIRECTORY_IMPORT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(importers.ImportRefused, match="the largest file an import takes is 1 KB"):
        start_import(by=None, format=ImportRun.Format.ORUK3_JSON, source="a.json", payload=b"[" + b" " * 1000)
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_a_steward_may_run_one_import_at_a_time_and_the_site_a_few(places, settings):
    settings.DIRECTORY_IMPORT_MAX_RUNNING = 2
    sam = make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Sam Steward")
    kim = make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Kim Steward")
    lee = make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Lee Steward")
    form = {"format": "oruk3_feed", "url": "https://feed.example/openreferral/"}
    ImportRun.objects.create(format="oruk3_feed", source="x", state=ImportRun.State.RUNNING, started_by=sam)
    response = _client(sam).post("/directory/imports/", form)
    assert response.status_code == 400
    assert "Your earlier import is still running" in response.content.decode()
    assert ImportRun.objects.count() == 1
    ImportRun.objects.create(format="oruk3_feed", source="y", state=ImportRun.State.QUEUED, started_by=kim)
    response = _client(lee).post("/directory/imports/", form)
    assert response.status_code == 400
    assert "2 imports are already running" in response.content.decode()
    assert ImportRun.objects.count() == 2
    with pytest.raises(importers.ImportRefused):
        start_import(by=None, format=ImportRun.Format.ORUK3_JSON, source="a.json", payload=b"[]")


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_worker_does_not_block_for_ever(places, settings):
    import datetime

    from django.utils import timezone

    sam = make_persona(Role.COMMUNITY_ORGANISER, places)
    ImportRun.objects.create(
        format="oruk3_feed",
        source="x",
        state=ImportRun.State.RUNNING,
        started_by=sam,
        created_at=timezone.now() - datetime.timedelta(minutes=settings.DIRECTORY_IMPORT_STALE_MINUTES + 1),
    )
    run = start_import(by=sam, format=ImportRun.Format.ORUK3_JSON, source="a.json", payload=b"[]")
    assert run.state == ImportRun.State.QUEUED


# ------------------------------------------------------------------ finding 8: feeds and SSRF ------------


class _Feed(BaseHTTPRequestHandler):
    """A feed of one service (the validator's mock), a page that redirects, and one far too large."""

    hits: list[str]
    redirect_to = ""

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        if self.path.startswith("/huge"):
            body = b"[" + b" " * (2 * 1024 * 1024) + b"]"
        elif self.path == "/openreferral/":
            body = (MOCKS / "V3.0-UK-Test" / "api_details.json").read_bytes()
        elif self.path.startswith("/openreferral/services?"):
            body = (MOCKS / "V3.0-UK-Test" / "service_list.json").read_bytes()
        elif self.path.startswith("/openreferral/services/"):
            body = (MOCKS / "V3.0-UK-Test" / "service_full.json").read_bytes()
        else:
            body = b"<html>Admin sign-in</html>"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []
    handler = type("Feed", (_Feed,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _resolve_to(mapping: dict[str, str]):
    real = feeds.resolve

    def resolve(host: str, port: int) -> list[str]:
        return [mapping[host]] if host in mapping else real(host, port)

    return resolve


def _feed_run(url: str) -> ImportRun:
    return run_import(start_import(by=None, format=ImportRun.Format.ORUK3_FEED, source=url))


@pytest.mark.django_db
def test_feeds_inside_the_network_are_refused_with_one_message_whatever_the_port(
    feed_server, monkeypatch, caplog
):
    port, hits = feed_server
    monkeypatch.setattr(feeds, "resolve", _resolve_to({"inside.example": "127.0.0.1"}))
    caplog.set_level(logging.INFO, logger="commonweal.directory.feeds")
    runs = [
        _feed_run(url)
        for url in (
            "http://127.0.0.1:1/",  # a closed port
            f"http://127.0.0.1:{port}/openreferral/",  # an open port serving a feed
            f"http://127.0.0.1:{port}/admin/",  # the server's own pages
            "http://169.254.169.254/latest/meta-data/",  # a cloud's instance metadata
            "http://[::1]:1/",
            "http://0.0.0.0:80/",
            "http://224.0.0.1/",
            f"http://inside.example:{port}/openreferral/",  # a public-looking name resolving inside
            "file:///etc/passwd",
            "ftp://127.0.0.1/",
        )
    ]
    assert {run.state for run in runs} == {ImportRun.State.FAILED}
    assert {run.message for run in runs} == {COULD_NOT_FETCH}
    assert hits == []
    assert _snapshot() == (0, 0, 0)
    # The reason goes to the log, for the operator only.
    assert "169.254.169.254 is not a public address" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_servers_own_admin_page_is_not_fetched(live_server):
    run = _feed_run(f"{live_server.url}/admin/")
    assert (run.state, run.message) == (ImportRun.State.FAILED, COULD_NOT_FETCH)


@pytest.mark.django_db
def test_an_allowed_internal_host_is_fetched_and_imported(feed_server, monkeypatch, settings):
    port, hits = feed_server
    settings.DIRECTORY_IMPORT_ALLOWED_HOSTS = ["feed.internal"]
    monkeypatch.setattr(feeds, "resolve", _resolve_to({"feed.internal": "127.0.0.1"}))
    run = _feed_run(f"http://feed.internal:{port}/openreferral/")
    assert (run.state, run.rejected, run.created) == (ImportRun.State.FINISHED, 0, 1)
    assert hits[0] == "/openreferral/"


@pytest.mark.django_db
def test_a_redirect_is_followed_only_after_its_address_is_checked(feed_server, monkeypatch, settings):
    port, hits = feed_server
    settings.DIRECTORY_IMPORT_ALLOWED_HOSTS = ["feed.internal"]
    monkeypatch.setattr(feeds, "resolve", _resolve_to({"feed.internal": "127.0.0.1"}))
    _Feed.redirect_to = f"http://127.0.0.1:{port}/openreferral/"
    try:
        with pytest.raises(feeds.FeedError, match=r"127\.0\.0\.1 is not a public address"):
            feeds.fetch_bytes(f"http://feed.internal:{port}/redirect")
        run = _feed_run(f"http://feed.internal:{port}/redirect/")
    finally:
        _Feed.redirect_to = ""
    assert (run.state, run.message) == (ImportRun.State.FAILED, COULD_NOT_FETCH)
    assert hits == ["/redirect", "/redirect/"]


@pytest.mark.django_db
def test_the_checked_address_is_the_one_connected_to(monkeypatch, settings):
    # DNS rebinding: a name that answers a public address to the check and 127.0.0.1 afterwards.
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    monkeypatch.setattr(feeds, "resolve", lambda host, port: next(answers))
    connected: list[tuple[str, int]] = []

    def connect(address: tuple[str, int], timeout: float) -> object:
        connected.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(feeds, "open_socket", connect)
    with pytest.raises(feeds.FeedError):
        feeds.fetch_bytes("http://rebind.example/")
    assert connected == [("93.184.216.34", 80)]


@pytest.mark.django_db
def test_a_feed_answer_over_the_size_cap_is_refused(feed_server, monkeypatch, settings):
    port, _ = feed_server
    settings.DIRECTORY_IMPORT_ALLOWED_HOSTS = ["feed.internal"]
    settings.DIRECTORY_IMPORT_FEED_MAX_BYTES = 1024 * 1024
    monkeypatch.setattr(feeds, "resolve", _resolve_to({"feed.internal": "127.0.0.1"}))
    with pytest.raises(feeds.FeedError, match="larger than"):
        feeds.fetch_bytes(f"http://feed.internal:{port}/huge")


def test_a_feed_that_never_answers_times_out(monkeypatch, settings):
    import socket

    settings.DIRECTORY_IMPORT_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.DIRECTORY_IMPORT_FEED_TIMEOUT_SECONDS = 1
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections are taken by the kernel and never answered
        with pytest.raises(feeds.FeedError, match="timed out"):
            feeds.fetch_bytes(f"http://127.0.0.1:{silent.getsockname()[1]}/")


@pytest.mark.django_db
def test_the_command_line_says_why_an_import_is_refused(settings):
    from django.core.management import CommandError, call_command

    settings.DIRECTORY_IMPORT_MAX_RUNNING = 1
    ImportRun.objects.create(format="oruk3_feed", source="x", state=ImportRun.State.RUNNING)
    with pytest.raises(CommandError, match="An import is already running"):
        call_command("directory_import", "https://feed.example/", "--format", "oruk3_feed")


# ------------------------------------------------------------------ finding 9: nesting and crashes -------


@pytest.mark.django_db
def test_deeply_nested_json_fails_with_a_clear_message():
    payload = b"[" * 100_000 + b"]" * 100_000
    run = run_import(
        start_import(by=None, format=ImportRun.Format.ORUK3_JSON, source="deep.json", payload=payload)
    )
    assert run.state == ImportRun.State.FAILED
    assert run.message == (
        f"deep.json is nested more than {importers.MAX_JSON_DEPTH} levels deep; ORUK data never is."
    )


@pytest.mark.django_db
def test_an_unexpected_error_ends_the_run_failed_and_writes_nothing(monkeypatch, caplog):
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(importers, "_import_record", broken)
    caplog.set_level(logging.ERROR)
    payload = (MOCKS / "V3.0-UK-Test" / "service_full.json").read_bytes()
    run = start_import(by=None, format=ImportRun.Format.ORUK3_JSON, source="a.json", payload=payload)
    assert run_import_task.call(run.pk).startswith("Failed. ")
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert run.message == (
        "The import stopped because of an error on our side, and nothing was imported. "
        "Try again later; if it happens again, tell the site's administrators (import "
        f"{run.pk})."
    )
    assert run.finished_at is not None and run.payload is None
    assert _snapshot() == (0, 0, 0)
    assert "something nobody expected" in caplog.text


@pytest.mark.django_db
def test_a_run_never_stays_running_even_when_ending_it_fails(monkeypatch):
    # Whatever goes wrong while reading, the run is not left "running".
    monkeypatch.setattr(
        importers, "records_for", lambda run, fetch=None: (_ for _ in ()).throw(MemoryError())
    )
    run = run_import(
        start_import(by=None, format=ImportRun.Format.ORUK3_JSON, source="a.json", payload=b"[]")
    )
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED


def test_the_depth_scan_ignores_brackets_inside_strings():
    assert importers.json_depth(b'{"a": "[[[[[[[[[[", "b": [{"c": "\\"]]]]"}]}') == 3
    assert importers.json_depth(json.dumps({"s": "\\" * 3 + "[" * 50}).encode()) == 1


def test_declared_sizes_that_lie_do_not_let_more_through(settings):
    settings.DIRECTORY_IMPORT_MAX_UNZIPPED_BYTES = 1000
    content = b"id,name\n" + b"s1,Real service\n" * 200
    package = bytearray(_zip({"services.csv": content}))
    # Rewrite the declared uncompressed size (local header and central directory) to 10 bytes.
    real = len(content).to_bytes(4, "little")
    count = 0
    for offset in (index for index in range(len(package) - 4) if package[index : index + 4] == real):
        package[offset : offset + 4] = (10).to_bytes(4, "little")
        count += 1
    assert count >= 2
    with pytest.raises(importers.ImportSourceError):
        importers.read_csv_package(bytes(package), "liar.zip")


def test_an_hsds_table_that_is_not_utf8_is_a_one_line_message():
    package = _zip({"services.csv": "id,name\ns1,Caf\xe9\n".encode("latin-1")})
    with pytest.raises(importers.ImportSourceError, match=r"services\.csv is not UTF-8 text"):
        importers.read_csv_package(package, "latin.zip")


def test_path_helper_reads_the_sample(tmp_path: Path):
    (tmp_path / "services.csv").write_text("id,name\ns1,A\n")
    assert importers.read_csv_package(tmp_path, str(tmp_path))["services"] == [{"id": "s1", "name": "A"}]
