from django import forms

from commonweal.organisations.models import Organisation


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "ods_code",
            "charity_number",
            "parent",
            "area",
            "postcode",
            "email",
            "phone",
            "website",
            "description",
        ]
        error_messages = {
            "name": {"required": "Enter the organisation's name"},
            "kind": {"required": "Choose what kind of organisation this is"},
        }


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or ODS code", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Organisation.Kind.choices]
    )
