"""Commonweal: an open-source platform for community-powered health."""
