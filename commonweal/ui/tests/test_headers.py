"""Security headers on every kind of response, deploy settings behind TLS, and a clean 400 for a bad host.

The walk visits every URL pattern (parameters filled with a placeholder, so many answer 403 or 404)
and then follows the links the pages show, so each route is also reached with the demo's real ids:
public pages, signed-in pages of several roles, the JSON APIs, CSV and zip downloads, the admin,
redirects and errors. Every response, whatever its status, must carry the same headers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from commonweal.accounts.models import User
from commonweal.demo.builder import DEMO_EMAIL_DOMAIN

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Features no page uses are switched off; passkeys (WebAuthn) are allowed for this origin only.
FEATURES_OFF = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"]
FEATURES_SELF = ["publickey-credentials-create", "publickey-credentials-get"]

PLACEHOLDERS = {
    "int": "1",
    "slug": "x",
    "str": "1",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
LINK = re.compile(r'href="(/[^"#]*)"')
# Following these would end the session or leave the pages the walk is about.
NOT_FOLLOWED = ("/sign-out/", "/django-admin/logout/", "/static/")
MOST_REQUESTS_PER_ROLE = 400


def csp_directives(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = set(words[1:])
    return directives


def assert_security_headers(response: Any, where: str) -> None:
    assert response.has_header("Content-Security-Policy"), where
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives == EXPECTED_CSP, where
    assert not response.has_header("Content-Security-Policy-Report-Only"), where
    policy = response.get("Permissions-Policy", "")
    for feature in FEATURES_OFF:
        assert f"{feature}=()" in policy, (where, policy)
    for feature in FEATURES_SELF:
        assert f"{feature}=(self)" in policy, (where, policy)
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") == "same-origin", where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", where


def _route_patterns(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _route_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def every_route_filled() -> list[str]:
    """One path per URL pattern, its parameters filled with placeholders (regex patterns left out)."""
    paths = []
    for route in _route_patterns(get_resolver().url_patterns):
        if "(?P<" in route or route.startswith("^"):
            continue
        path = re.sub(
            r"<(?:(\w+):)?\w+>", lambda match: PLACEHOLDERS.get(match.group(1) or "str", "1"), route
        )
        paths.append("/" + path)
    return paths


def route_of(path: str) -> str | None:
    try:
        return resolve(path.split("?")[0]).route
    except Resolver404:
        return None


def walk(client: Client, *, include_admin: bool) -> dict[str, Any]:
    """Visit every route (with placeholders, then by following links); return what was seen."""
    seen: dict[str | None, int] = {}
    statuses: set[int] = set()
    content_types: set[str] = set()
    queue = deque(path for path in every_route_filled() if include_admin or "django-admin" not in path)
    requests = 0
    while queue and requests < MOST_REQUESTS_PER_ROLE:
        path = queue.popleft()
        route = route_of(path)
        if seen.get(route) == 200:
            continue  # this route already answered a real page
        response = client.get(path)
        requests += 1
        seen[route] = response.status_code
        statuses.add(response.status_code)
        content_types.add(response.get("Content-Type", "").split(";")[0])
        assert_security_headers(response, f"{response.status_code} {path}")
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for link in LINK.findall(response.content.decode()):
                link = link.replace("&amp;", "&")
                if link.startswith(NOT_FOLLOWED) or (not include_admin and "django-admin" in link):
                    continue
                if seen.get(route_of(link)) != 200:
                    queue.append(link)
    return {"statuses": statuses, "content_types": content_types, "routes": seen}


def demo_client(name: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"{name}@{DEMO_EMAIL_DOMAIN}"))
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
class TestEveryPageType:
    def test_without_signing_in(self, client):
        seen = walk(client, include_admin=True)
        # Public pages, sign-in redirects, refusals, missing objects and the JSON APIs were all among them.
        assert {200, 302, 404}.issubset(seen["statuses"]), seen["statuses"]
        assert {"text/html", "application/json"}.issubset(seen["content_types"])
        assert seen["routes"]["directory/"] == 200
        assert seen["routes"]["openreferral/services"] == 200

    @pytest.mark.parametrize("name", ["resident", "link.worker", "organisation", "commissioner"])
    def test_signed_in(self, name):
        seen = walk(demo_client(name), include_admin=False)
        assert 200 in seen["statuses"] and 403 in seen["statuses"], seen["statuses"]
        assert seen["routes"]["home/"] == 200

    def test_the_commissioner_reaches_a_csv_download(self):
        seen = walk(demo_client("commissioner"), include_admin=False)
        assert "text/csv" in seen["content_types"], seen["content_types"]
        assert seen["routes"]["evidence/<str:key>/<str:section>.csv"] == 200

    def test_an_administrator_in_the_django_admin(self):
        admin = User.objects.get(email=f"admin@{DEMO_EMAIL_DOMAIN}")
        admin.is_staff = admin.is_superuser = True
        admin.save()
        client = Client()
        client.force_login(admin)
        for path in ["/django-admin/", "/django-admin/measures/response/", "/django-admin/auth/group/add/"]:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_security_headers(response, path)

    def test_a_bad_request_and_a_server_error(self, client):
        response = client.get("/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert_security_headers(response, "400 bad host")
        response = client.get("/api/me")
        assert response.status_code in {401, 403}
        assert_security_headers(response, "API without a token")

    def test_a_static_file_served_by_whitenoise(self, client):
        response = client.get(static("ui/build/css/commonweal.css"))
        # Read the file response to its end: the test client then closes it with the database connection
        # left alone. Closing it by hand would send `request_finished`, which closes the connection, and on
        # PostgreSQL the transaction this module's tests run in would go with it.
        assert b"".join(response.streaming_content)
        assert response.status_code == 200
        assert_security_headers(response, "static file")


@pytest.mark.django_db
def test_a_request_for_another_host_gets_the_400_page_not_a_500(client, db):
    # Finding 14: the 400 handler's context processor read request.user, which a request refused by
    # CommonMiddleware (before AuthenticationMiddleware) does not have.
    client.raise_request_exception = False
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sorry, there is a problem with this request" in page
    assert "nhsuk-header" in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/directory/", "/no-such-page/", "/api/me"])
def test_a_bad_host_on_any_address_is_a_400(client, db, path):
    client.raise_request_exception = False
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_error_handlers_work_on_a_request_that_never_reached_authentication(db, rf):
    from commonweal.ui import views

    request = rf.get("/", HTTP_HOST="evil.example")  # no user, no session: refused before both
    assert views.bad_request(request).status_code == 400
    assert views.permission_denied(request).status_code == 403
    assert views.page_not_found(request).status_code == 404
    assert views.server_error(request).status_code == 500


@pytest.mark.django_db
def test_hsts_is_sent_over_tls_when_tls_is_on(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(response, "over TLS")


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    base = Path(settings.BASE_DIR)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "TLS", "SESSION_", "CSRF_", "DJANGO_"))
    }
    env.update(
        {
            "PYTHONPATH": str(base),
            "DJANGO_SETTINGS_MODULE": "commonweal.config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "a-long-random-test-key-" + "x7Qp2-Lm9_vR4t" * 4,
            "ALLOWED_HOSTS": "commonweal.example.org",
            "DATABASE_URL": "sqlite:///:memory:",
            **environment,
        }
    )
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(base / "manage.py"), *args],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_tls_on():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", TLS="true")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_without_tls():
    # The switch is what makes the difference: without it, the deploy check still names the gaps.
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", TLS="false")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_tls_settings_can_each_be_overridden():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    on = run_manage("shell", "-c", script, TLS="true")
    assert on.stdout.split("\n")[-2] == "True 31536000 True True True ('HTTP_X_FORWARDED_PROTO', 'https')", on
    tuned = run_manage(
        "shell",
        "-c",
        script,
        TLS="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_PRELOAD="false",
        TLS_PROXY_HEADER="",
    )
    assert tuned.stdout.split("\n")[-2] == "False 300 False True True None", tuned
    off = run_manage("shell", "-c", script, TLS="false")
    assert off.stdout.split("\n")[-2] == "False 0 False False False None", off


@pytest.mark.django_db
def test_the_api_docs_load_their_scripts_from_this_site(client):
    # Without django-ninja in INSTALLED_APPS its docs page loaded Swagger UI from a CDN, which the
    # policy refuses (and a deployment on a closed network cannot reach).
    page = client.get("/api/docs").content.decode()
    assert "cdn.jsdelivr.net" not in page
    assert re.search(r'<script src="/static/ninja/swagger-ui-bundle\.[0-9a-f]+\.js">', page)
    assert re.search(r'<script src="/static/ninja/swagger-ui-init\.[0-9a-f]+\.js">', page)
    assert "<script>" not in page


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_the_sites_own_page():
    # Django's own CSRF failure page carries an inline <style>, which the policy refuses; the site's
    # 403_csrf.html (the template name Django looks for first) replaces it.
    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in/", {"username": "someone@example.org", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert "Nothing was saved" in page
    assert "<style" not in page and " style=" not in page
    assert_security_headers(response, "CSRF failure")


@pytest.mark.django_db
def test_a_bad_host_is_a_400_when_the_ssl_redirect_is_on_too(client, settings):
    # With TLS on, SecurityMiddleware reads the host first (to build the https:// address).
    settings.SECURE_SSL_REDIRECT = True
    client.raise_request_exception = False
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Sorry, there is a problem with this request" in response.content.decode()
