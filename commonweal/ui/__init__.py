"""The shared UI layer: the NHS.UK design system wrapped once, the page shell and error pages."""
