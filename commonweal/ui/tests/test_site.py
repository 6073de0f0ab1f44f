"""Links that leave the site use one address: SITE_URL, or where `make serve` serves (issue 20, item 5)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from commonweal.ui.site import SiteUrlError, absolute, site_url
from commonweal.ui.tests.test_console import serve_recipe


def test_site_url_wins_then_the_address_make_serve_serves_at(settings: Any, monkeypatch: pytest.MonkeyPatch):
    settings.SITE_URL = ""
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("COMMONWEAL_SERVED_AT", "http://127.0.0.1:8123")
    assert absolute("/directory/") == "http://127.0.0.1:8123/directory/"
    settings.SITE_URL = "https://commonweal.example.org/"
    assert site_url() == "https://commonweal.example.org"


def test_a_site_url_that_is_no_web_address_is_refused_by_name(settings: Any):
    settings.SITE_URL = "commonweal.example.org"
    with pytest.raises(SiteUrlError, match="SITE_URL must start with http:// or https://"):
        site_url()


def test_make_serve_tells_the_server_and_its_workers_the_port_it_serves_on():
    serve = serve_recipe()
    assert re.search(r"COMMONWEAL_SERVED_AT=http://\$\(HOST\):\$\(PORT\) sh -c", serve)
    # Every process of the server (worker, sweeps, web) runs inside that one shell.
    assert serve.count("$(BIN)/") == 3
