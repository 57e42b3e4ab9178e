#!/bin/sh
# Backup and point-in-time restore of the ledger's PostgreSQL (15): pg_basebackup + WAL
# archiving. The runbook in docs/operations.md ("Backup and point-in-time restore") uses
# exactly these commands, and tests/integration/test_point_in_time_restore.py runs them.
# Run it as the user that owns the data directories (postgres): PostgreSQL refuses root.
#
# usage:
#   pitr.sh archive-settings ARCHIVE_DIR   print the postgresql.conf lines that archive WAL there
#   pitr.sh backup DSN BACKUP_DIR          a base backup (plain, WAL included), then verified
#   pitr.sh mark DSN NAME                  a named restore point, its WAL file archived at once
#   pitr.sh restore BACKUP_DIR ARCHIVE_DIR DATA_DIR --name NAME | --time 'TIMESTAMPTZ'
#                                          a new data directory that recovers to that target
#                                          and then promotes (start it with pg_ctl)
#   pitr.sh promoted DSN [SECONDS]         wait until that server has finished recovery
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WAIT_S=${PITR_WAIT_S:-60}

die() { echo "pitr.sh: $*" >&2; exit 2; }

sql() {  # one value from one statement
  "$PGBIN/psql" -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

wait_for() {  # wait_for SECONDS WHAT COMMAND…: poll COMMAND until it succeeds, or give up
  limit=$1; what=$2; shift 2
  end=$(( $(date +%s) + limit ))
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || die "gave up after ${limit}s waiting for $what"
    sleep 0.2
  done
}

archived() {  # archived DSN WALFILE: the archiver has stored WALFILE (same timeline: names sort)
  [ "$(sql "$1" "SELECT coalesce(last_archived_wal, '') >= '$2' FROM pg_stat_archiver")" = t ]
}

not_in_recovery() {
  [ "$(sql "$1" 'SELECT NOT pg_is_in_recovery()' 2>/dev/null || true)" = t ]
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
archive-settings)
  [ $# -eq 1 ] || die "usage: archive-settings ARCHIVE_DIR"
  # `test ! -f` never overwrites a segment already archived (a restored server's new
  # timeline writes new names); the copy is only as safe as ARCHIVE_DIR's disk.
  cat <<EOF
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $1/%f && cp %p $1/%f'
EOF
  ;;
backup)
  [ $# -eq 2 ] || die "usage: backup DSN BACKUP_DIR"
  # -X stream: the WAL written during the backup goes into it, so the backup starts alone.
  "$PGBIN/pg_basebackup" -d "$1" -D "$2" -F plain -X stream -c fast --no-password
  "$PGBIN/pg_verifybackup" -q "$2"
  echo "backup in $2: $(sed -n 's/^START WAL LOCATION: //p' "$2/backup_label")"
  ;;
mark)
  [ $# -eq 2 ] || die "usage: mark DSN NAME"
  case $2 in *[!A-Za-z0-9_.-]* | '') die "a restore point's name is [A-Za-z0-9_.-]+: $2" ;; esac
  lsn=$(sql "$1" "SELECT pg_create_restore_point('$2')")
  # Close the WAL file that holds the mark, and wait until it is in the archive: until then
  # a restore cannot reach it.
  wal=$(sql "$1" "SELECT pg_walfile_name(pg_switch_wal())")
  wait_for "$WAIT_S" "WAL file $wal to be archived" archived "$1" "$wal"
  echo "restore point $2 at $lsn, archived in $wal"
  ;;
restore)
  [ $# -eq 5 ] || die "usage: restore BACKUP_DIR ARCHIVE_DIR DATA_DIR --name NAME | --time TS"
  backup=$1; archive=$2; data=$3
  case $4 in
  --name)
    case $5 in *[!A-Za-z0-9_.-]* | '') die "a restore point's name is [A-Za-z0-9_.-]+: $5" ;; esac
    target="recovery_target_name = '$5'" ;;
  --time)
    case $5 in *"'"*) die "a time has no quote: $5" ;; esac
    target="recovery_target_time = '$5'" ;;
  *) die "restore: --name NAME or --time TIMESTAMPTZ, not $4" ;;
  esac
  [ -f "$backup/backup_label" ] || die "$backup is not a base backup (no backup_label)"
  [ ! -e "$data" ] || die "$data exists: restore into a new directory"
  cp -a "$backup" "$data"
  chmod 700 "$data"
  # The settings last in postgresql.auto.conf win. recovery.signal: recover from the archive
  # up to the target, then promote (a new timeline), rather than stay a standby.
  cat >>"$data/postgresql.auto.conf" <<EOF
restore_command = 'cp $archive/%f %p'
$target
recovery_target_inclusive = on
recovery_target_action = promote
EOF
  touch "$data/recovery.signal"
  echo "restore prepared in $data ($target): start it with pg_ctl -D $data start"
  ;;
promoted)
  [ $# -ge 1 ] || die "usage: promoted DSN [SECONDS]"
  wait_for "${2:-$WAIT_S}" "recovery to finish" not_in_recovery "$1"
  echo "recovered and promoted: $(sql "$1" 'SELECT pg_current_wal_lsn()')"
  ;;
*)
  sed -n '2,14p' "$0" >&2
  exit 2
  ;;
esac
