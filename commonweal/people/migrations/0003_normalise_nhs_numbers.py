"""Store every NHS number as its ten ASCII digits (issue 12, finding 2).

Numbers were stored as typed, so full-width or Arabic-Indic digits made a second person for one
number. Each stored number is rewritten in its normal form. Two records that turn out to hold the same
number are NOT merged: both are left as they are and named in the output, for a person to look at
(merging health records is a clinical decision). A stored value that is not a valid number is left
and named too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations

from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number


def normalise(apps: Any, schema_editor: Any) -> None:
    person_model = apps.get_model("people", "Person")
    holders: dict[str, list[int]] = defaultdict(list)
    stored: dict[int, str] = {}
    invalid: list[int] = []
    for pk, number in person_model.objects.exclude(nhs_number=None).values_list("pk", "nhs_number"):
        stored[pk] = number
        try:
            holders[normalise_nhs_number(number)].append(pk)
        except InvalidNhsNumberError:
            invalid.append(pk)
    for normal, pks in holders.items():
        if len(pks) > 1:
            print(f"\n  NHS number ending {normal[-4:]} is held by people {pks}: not merged, check by hand")
            continue
        if stored[pks[0]] != normal:
            person_model.objects.filter(pk=pks[0]).update(nhs_number=normal)
    if invalid:
        print(f"\n  People whose stored NHS number is not valid (left as it is): {invalid}")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_accessibility_needs_and_more")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
