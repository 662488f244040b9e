"""Turning content into Swedish text, tables, charts and files."""
