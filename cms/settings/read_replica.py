"""A PostgreSQL read replica when DATABASE_REPLICA_URL names one.

Anonymous reads go to it; writes, transactions, the admin, logged-in users,
tokens, a client that has just written and every request just after a
content change read the primary (clinics/read_replica.py). Without the
variable nothing changes.

base.py calls ``apply(globals())`` at its end, so this adds to its DATABASES,
DATABASE_ROUTERS and MIDDLEWARE rather than redefining them.
"""

import os

import dj_database_url

REPLICA_ROUTER = "clinics.read_replica.PrimaryReplicaRouter"
REPLICA_MIDDLEWARE = "clinics.read_replica.ReadReplicaMiddleware"
REPLICA_ALIAS = "replica"


def apply(settings):
    url = os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        return
    primary = settings["DATABASES"]["default"]
    settings["DATABASES"][REPLICA_ALIAS] = {
        **dj_database_url.parse(
            url,
            conn_max_age=primary.get("CONN_MAX_AGE", 0),
            conn_health_checks=True,
        ),
        # Tests use the primary's test database through it, not a second one.
        "TEST": {"MIRROR": "default"},
    }
    settings["DATABASE_REPLICA_ALIAS"] = REPLICA_ALIAS
    # How long a client reads the primary after it wrote, and everyone after
    # a content change, while the replica catches up.
    settings["DATABASE_REPLICA_STICKY_SECONDS"] = int(
        os.environ.get("DATABASE_REPLICA_STICKY_SECONDS", "10")
    )
    settings["DATABASE_ROUTERS"] = [
        *settings.get("DATABASE_ROUTERS", []),
        REPLICA_ROUTER,
    ]
    # First: it judges the request before anything reads the database (the
    # page cache, sessions), and its cookie is set on every unsafe request.
    settings["MIDDLEWARE"] = [REPLICA_MIDDLEWARE, *settings["MIDDLEWARE"]]
