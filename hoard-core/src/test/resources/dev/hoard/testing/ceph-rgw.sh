#!/bin/sh
# ceph-rgw.sh DIR FSID MON_ADDRESS ACCESS_KEY SECRET_KEY: runs a one-node Ceph cluster (one mon, one OSD, one
# radosgw, no mgr) from DIR/ceph.conf, which CephRgw.java writes and which keeps every file of the cluster in DIR.
# It runs under ServerProcess's watchdog, which SIGTERMs it when the test JVM goes away; it then SIGKILLs its
# daemons (their data is thrown away with DIR anyway) and exits once they have. Its own output is DIR/stderr.log;
# each daemon logs to DIR/log/NAME.log.
set -eu
dir=$1 fsid=$2 mon=$3 access=$4 secret=$5
conf=$dir/ceph.conf
daemons=''

stop() {
  trap - TERM INT EXIT
  if [ -n "$daemons" ]; then
    # shellcheck disable=SC2086 # a list of pids
    kill -KILL $daemons 2>/dev/null || true
    wait
  fi
}
trap 'stop; exit 143' TERM INT
trap stop EXIT

step() { printf '%s ceph-rgw.sh: %s\n' "$(date -u +%H:%M:%S.%N | cut -c1-12)" "$*" >&2; }

# A port taken in between makes ServerProcess run this again in the same directory: start from nothing.
rm -rf "$dir/mon" "$dir/osd" "$dir/rgw" "$dir/run" "$dir/log" "$dir/crash" "$dir/monmap" "$dir/bluestore-block"
mkdir -p "$dir/mon" "$dir/osd" "$dir/rgw" "$dir/run" "$dir/log" "$dir/crash"
: > "$dir/keyring"

step "mon at $mon"
monmaptool --create --fsid "$fsid" --addv a "[v2:$mon]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap"
ceph-mon -c "$conf" -i a -f &
daemons="$daemons $!"

step "osd"
uuid=$(cat /proc/sys/kernel/random/uuid)
id=$(ceph -c "$conf" --connect-timeout 30 osd new "$uuid")
ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$uuid"
ceph-osd -c "$conf" -i "$id" -f &
daemons="$daemons $!"

# The user first: radosgw-admin creates the zone and its pools, which radosgw then finds.
step "user"
radosgw-admin -c "$conf" user create --uid hoard-test --display-name "hoard tests" \
  --access-key "$access" --secret-key "$secret" >/dev/null

step "radosgw"
radosgw -c "$conf" -n client.rgw.a -f &
daemons="$daemons $!"
# radosgw -f writes no pid file; ServerProcess waits for this one and for the gateway's port.
echo "$!" > "$dir/run/radosgw.pid"
wait
