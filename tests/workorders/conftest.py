from tests.workorders.dbkit import db, pg_engine, sqlite_template  # noqa: F401  (fixtures)
from tests.workorders.receiver import receiver  # noqa: F401  (fixture)
from tests.workorders.rtserver import rt_server  # noqa: F401  (fixture)
