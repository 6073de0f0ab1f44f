"""Renders Django forms with NHS.UK design system markup."""

from django.forms.renderers import DjangoTemplates


class NhsukFormRenderer(DjangoTemplates):
    """Form and field templates in the NHS.UK style; widgets keep Django's own templates."""

    form_template_name = "ui/forms/form.html"
    field_template_name = "ui/forms/field.html"
