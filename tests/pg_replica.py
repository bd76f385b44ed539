"""A PostgreSQL primary with a real streaming replica, on loopback, for tests.

The machine's own cluster has no replication entry in pg_hba.conf and is not
ours to reconfigure, so this makes two scratch clusters of its own: a primary
(``initdb``, ``wal_level=replica``, trust on 127.0.0.1 including replication)
and a hot-standby copy of it made with ``pg_basebackup -R``, each on a free
port, listening on 127.0.0.1 only, with its socket in its own folder. As root
they run as the ``postgres`` user (PostgreSQL refuses to run as root).

    with PrimaryAndReplica() as databases:
        databases.primary_url, databases.replica_url  # the app database
        databases.pause_replay(); ...; databases.resume_replay()
        databases.wait_for_replay()

A plain context manager, not a pytest fixture: tests/test_read_replica.py and
the cluster test (scripts/cluster_test.py) both use it. It imports nothing of
Django.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
OWNER = "postgres"  # who runs the clusters when we are root
SLOT = "clinic_replica"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed here."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_bindir():
    """The folder holding initdb, pg_ctl, pg_basebackup and postgres."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(  # noqa: S603 (pg_config from PATH, fixed arguments)
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            candidates.append(result.stdout.strip())
    # Debian keeps the server programs out of PATH, one folder per version.
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: [
            int(p) for p in Path(path).parent.name.split(".") if p.isdigit()
        ],
        reverse=True,
    )
    for folder in candidates:
        if all((Path(folder) / program).is_file() for program in PROGRAMS):
            return Path(folder)
    raise PostgresUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup, postgres) "
        f"were not found in {candidates or 'pg_config --bindir or /usr/lib/postgresql/*/bin'}; "
        "install the PostgreSQL server (Debian: apt-get install postgresql)."
    )


class PrimaryAndReplica:
    """Two clusters; ``database`` is created on the primary (and so on the
    replica) and is what ``primary_url`` and ``replica_url`` name."""

    def __init__(self, folder=None, database="clinic_cms"):
        self.requested_folder = Path(folder) if folder else None
        self.database = database
        self.bindir = None
        self.folder = None
        self.primary_port = self.replica_port = None
        self._started = []  # data folders whose server is running

    # URLs and connections

    def url(self, port, database=None):
        return f"postgres://postgres@127.0.0.1:{port}/{database or self.database}"

    @property
    def primary_url(self):
        return self.url(self.primary_port)

    @property
    def replica_url(self):
        return self.url(self.replica_port)

    def primary_url_for(self, database):
        return self.url(self.primary_port, database)

    def replica_url_for(self, database):
        return self.url(self.replica_port, database)

    def query(self, port, sql, params=(), database="postgres"):
        """The first column of the first row, if any (autocommit)."""
        with psycopg.connect(
            self.url(port, database), autocommit=True, connect_timeout=5
        ) as connection:
            cursor = connection.execute(sql, params)
            row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None

    def on_primary(self, sql, params=(), database=None):
        return self.query(self.primary_port, sql, params, database or self.database)

    def on_replica(self, sql, params=(), database=None):
        return self.query(self.replica_port, sql, params, database or self.database)

    def create_database(self, name):
        """Another database on the primary; the replica follows."""
        self.query(self.primary_port, f'CREATE DATABASE "{name}"')

    # Replication

    def pause_replay(self, timeout=10):
        """Stop the replica applying WAL: what the primary commits after this
        returns is not seen on the replica until resume_replay()."""
        self.query(self.replica_port, "SELECT pg_wal_replay_pause()")
        # The pause is a request; no record after it is applied either way,
        # and it says "paused" once the startup process has seen it.
        self._wait(
            lambda: (
                self.query(self.replica_port, "SELECT pg_get_wal_replay_pause_state()")
                == "paused"
            ),
            timeout,
            "the replica's replay to pause",
            fail=False,
        )

    def resume_replay(self):
        self.query(self.replica_port, "SELECT pg_wal_replay_resume()")

    def wait_for_replay(self, timeout=30):
        """Until the replica has applied everything the primary has written
        so far (its current WAL position)."""
        target = self.query(self.primary_port, "SELECT pg_current_wal_lsn()::text")
        self._wait(
            lambda: self.query(
                self.replica_port,
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                (target,),
            ),
            timeout,
            f"the replica to replay up to {target} (is replay paused?)",
        )

    # Start and stop

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self._stop()

    def _start(self):
        self.bindir = find_bindir()
        self.folder = self._make_folder()
        primary, replica = self.folder / "primary", self.folder / "replica"
        self.primary_port, self.replica_port = free_port(), free_port()

        self._run(
            "initdb",
            "-D",
            primary,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--text-search-config=english",
            "--no-sync",
        )
        (primary / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "local replication all trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        self._configure(
            primary,
            self.primary_port,
            # A scratch cluster: durability buys nothing here.
            "wal_level = replica\nmax_wal_senders = 5\nmax_replication_slots = 5\n"
            "fsync = off\nfull_page_writes = off\n",
        )
        self._start_server(primary)

        # -R writes primary_conninfo and standby.signal; the slot keeps the
        # primary's WAL until the replica has it.
        self._run(
            "pg_basebackup",
            "-R",
            "-D",
            replica,
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "-X",
            "stream",
            "-C",
            "-S",
            SLOT,
            "--no-sync",
        )
        self._configure(replica, self.replica_port, "hot_standby = on\n")
        self._start_server(replica)
        self._wait(
            lambda: self.query(self.replica_port, "SELECT pg_is_in_recovery()"),
            60,
            "the replica to run as a hot standby",
        )
        self._wait(
            lambda: self.query(
                self.primary_port,
                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
            ),
            60,
            "the replica to stream from the primary",
        )
        if self.database:
            self.create_database(self.database)
            self.wait_for_replay()

    def _stop(self):
        for data in reversed(self._started):  # the replica first
            self._run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False)
        self._started = []
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _make_folder(self):
        """A new folder the clusters' owner can reach. A caller's folder is
        used when it can; a root-only temporary folder (pytest's, Python's
        TemporaryDirectory) is not reachable by postgres, so then a folder of
        our own in the system's temporary directory."""
        parent = None
        if self.requested_folder:
            self.requested_folder.mkdir(parents=True, exist_ok=True)
            if self._owner_can_enter(self.requested_folder):
                parent = self.requested_folder
        folder = Path(tempfile.mkdtemp(prefix="pg-replica-", dir=parent))
        if os.geteuid() == 0:
            owner = self._owner()
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        return folder

    def _owner_can_enter(self, folder):
        if os.geteuid() != 0:
            return True
        self._owner()
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            ["runuser", "-u", OWNER, "--", "test", "-x", str(folder)],  # noqa: S607
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def _owner(self):
        try:
            return pwd.getpwnam(OWNER)
        except KeyError:
            raise PostgresUnavailable(
                f"Running as root, the clusters run as the {OWNER!r} user, "
                "which does not exist here."
            ) from None

    def _configure(self, data, port, extra):
        sockets = self.folder / f"{data.name}-socket"
        sockets.mkdir()
        if os.geteuid() == 0:
            owner = self._owner()
            os.chown(sockets, owner.pw_uid, owner.pw_gid)
        # Appended: the last value of a setting wins (the replica's copy of
        # the primary's file gets its own port after the primary's).
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{sockets}'\n{extra}"
            )

    def _start_server(self, data):
        log = self.folder / f"{data.name}.log"
        result = self._run(
            "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start", check=False
        )
        if result.returncode != 0:
            tail = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(
                f"PostgreSQL ({data.name}) did not start:\n{result.stdout}"
                f"{result.stderr}\n{tail}"
            )
        self._started.append(data)

    def _run(self, program, *args, check=True):
        command = [str(self.bindir / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OWNER, "--", *command]
        # Nothing of the caller's PG* settings (PGHOST, PGDATA, ...) applies.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        result = subprocess.run(  # noqa: S603 (PostgreSQL's own programs)
            command,
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}"
            )
        return result

    def _wait(self, condition, timeout, what, fail=True):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return
            except psycopg.OperationalError:
                pass  # not accepting connections yet
            if time.monotonic() > deadline:
                if fail:
                    raise TimeoutError(f"Waited {timeout} s for {what}.")
                return
            time.sleep(0.1)
