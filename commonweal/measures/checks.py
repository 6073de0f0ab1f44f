"""System checks: the measures settings and any licence holder's definitions must be readable at start-up."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.checks import Error, register

from commonweal.measures import conf, registry
from commonweal.measures.definitions import UnknownInstrumentError


@register()
def measures_settings_are_valid(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse to start with a measures setting that cannot be read or a licensed file that does not load."""
    errors: list[Error] = []
    problems: list[str] = []
    for read in conf.ALL_SETTINGS:
        try:
            read()
        except conf.MeasuresSettingError as error:
            if str(error) not in problems:  # a value read by two settings is reported once
                problems.append(str(error))
    errors += [
        Error(problem, hint="Fix it in the environment or .env.", id="measures.E001") for problem in problems
    ]
    folder = None
    with contextlib.suppress(conf.MeasuresSettingError):
        folder = conf.licensed_dir()
    if folder is not None and not folder.is_dir():
        errors.append(
            Error(
                f"MEASURES_LICENSED_DIR is {folder}, which is not a folder.",
                hint="Point it at the folder of the licence holder's definition files, or leave it empty.",
                id="measures.E002",
            )
        )
    else:
        problem = registry.catalogue().licensed_problem
        if problem:
            errors.append(Error(problem, id="measures.E003"))
    try:
        for code in conf.default_instruments():
            registry.definition(code)
    except (UnknownInstrumentError, conf.MeasuresSettingError) as error:
        errors.append(
            Error(
                f"MEASURES_DEFAULT_INSTRUMENTS: {error}", hint="Name instruments by code.", id="measures.E004"
            )
        )
    return errors
