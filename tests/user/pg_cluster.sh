# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/user/postgres.sh and bench/user-sweep.sh: a throw-away
# cluster of Debian's postgresql-15 run by the postgres user in a temporary
# directory (initdb, pg_ctl), on loopback; nothing of the system's clusters
# is touched. Needs PGW (a directory), sets PGBIN, PGPORT, PGDATA.
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-54329}
PGDATA=$PGW/data
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres

pg_as() { runuser -u postgres -- "$@"; }

# pg_start [max_connections]: a fresh cluster, started; pgbench's tables.
# PG_PRELOAD: a library every process of the cluster maps (LD_PRELOAD)
pg_start() {
	chmod 755 "$PGW"
	mkdir -p "$PGW/sock" && chown postgres: "$PGW/sock" && rm -f "$PGW/sock/server.log"
	rm -rf "$PGDATA" && mkdir -m 700 "$PGDATA" && chown postgres: "$PGDATA"
	pg_as "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres >"$PGW/initdb.log" 2>&1 || return 1
	pg_as env ${PG_PRELOAD:+LD_PRELOAD="$PG_PRELOAD"} "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGW/sock/server.log" -w -o \
		"-p $PGPORT -k $PGW/sock -c listen_addresses=127.0.0.1 -c max_connections=${1:-150}" \
		start >/dev/null || return 1
	"$PGBIN/pgbench" -i -q -s 2 >"$PGW/pgbench-init.log" 2>&1
}

pg_stop() {
	[ -f "$PGDATA/postmaster.pid" ] &&
		pg_as "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
	return 0
}

pg_postmaster() { head -1 "$PGDATA/postmaster.pid"; }
