from tests.smtp import smtp_server  # noqa: F401  (fixture)
from tests.workorders.dbkit import db, pg_engine, sqlite_template  # noqa: F401  (fixtures)
