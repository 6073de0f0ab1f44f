"""WhiteNoise reads the static files once per test process, not once per test client.

Every Django test client builds the middleware chain again, and WhiteNoise's middleware reads and stats
every collected static file (about a thousand) when it is built: a third of a second per client, and
most tests make a client. Production builds the chain once per server process. Here the table WhiteNoise
builds from a folder is kept, for the same folder and the same header settings, and copied into each new
middleware: the files are served exactly as production serves them (from the table, not looked up per
request), and collectstatic is not run during the tests.
"""

from __future__ import annotations

from typing import Any

from whitenoise.middleware import WhiteNoiseMiddleware

_TABLES: dict[tuple[Any, ...], dict[str, Any]] = {}
_read_folder = WhiteNoiseMiddleware.update_files_dictionary


def _settings_key(middleware: WhiteNoiseMiddleware, root: str, prefix: str) -> tuple[Any, ...]:
    # Everything the table's headers depend on: the middleware's options and the settings it reads them
    # from, and the storage that tells which names carry a hash (immutable files).
    from django.conf import settings

    return (
        root,
        prefix,
        middleware.max_age,
        middleware.allow_all_origins,
        middleware.charset,
        middleware.index_file,
        settings.STATIC_URL,
        repr(settings.STORAGES.get("staticfiles")),
        *(
            repr(getattr(settings, name, None))
            for name in (
                "WHITENOISE_MIMETYPES",
                "WHITENOISE_IMMUTABLE_FILE_TEST",
                "WHITENOISE_ADD_HEADERS_FUNCTION",
            )
        ),
    )


def _update_files_dictionary(self: WhiteNoiseMiddleware, root: str, prefix: str) -> None:
    key = _settings_key(self, root, prefix)
    table = _TABLES.get(key)
    if table is None:
        before = dict(self.files)
        _read_folder(self, root, prefix)
        table = {url: found for url, found in self.files.items() if before.get(url) is not found}
        _TABLES[key] = table
    self.files.update(table)


def install() -> None:
    WhiteNoiseMiddleware.update_files_dictionary = _update_files_dictionary  # type: ignore[method-assign]
