"""Jurisdictions, bodies, units, terms, people, memberships, roles and stations."""
