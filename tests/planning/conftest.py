from tests.workorders.dbkit import db, pg_engine, sqlite_template  # noqa: F401  (fixtures)
