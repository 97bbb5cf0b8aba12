"""Storage: the only package that knows SQL (SQLAlchemy 2 Core tables, Alembic migrations, bulk
writes and the queries the services need)."""
