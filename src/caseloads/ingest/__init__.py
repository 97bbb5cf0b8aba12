"""Readers that turn an extract into validated Polars frames plus findings. No database access."""
