#!/bin/sh
# ceph-rgw.sh DIR FSID MON_ADDRESS ACCESS_KEY SECRET_KEY RGW_ADDRESS STORE MEMSTORE_BYTES BLUESTORE_BYTES: runs a
# one-node Ceph cluster (one mon, one OSD, one radosgw, no mgr) that keeps every file of it in DIR. It writes
# DIR/ceph.conf: the monitor on MON_ADDRESS (HOST:PORT; every daemon binds HOST), the S3 gateway on RGW_ADDRESS
# (HOST:PORT), the OSD's objects in STORE (memstore: its memory, reporting MEMSTORE_BYTES; bluestore: a sparse file
# of BLUESTORE_BYTES in DIR), authentication off, and an S3 user with ACCESS_KEY and SECRET_KEY. CephRgw.java runs
# it under ServerProcess's watchdog, which SIGTERMs it when the test JVM goes away; bench/shared runs it in its own
# process group. On SIGTERM or SIGINT it SIGKILLs its daemons (their data is thrown away with DIR anyway) and exits
# once they have. Its own output is DIR/stderr.log (under the watchdog); each daemon logs to DIR/log/NAME.log.
set -eu
dir=$1 fsid=$2 mon=$3 access=$4 secret=$5 rgw=$6 store=$7 memstore_bytes=$8 bluestore_bytes=$9
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

# Authentication is off inside the cluster, which also needs the messenger's crc mode (secure needs a cephx session
# key). The monitor proposes every 50 ms instead of every second: RGW creates its pools one monitor command after
# another, and that takes the start from 12 s to a few.
cat > "$conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:$mon]
public addr = ${mon%:*}
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon cluster log file = $dir/log/cluster.log
crash dir = $dir/crash
log to stderr = false
err to stderr = true
mon data = $dir/mon
osd data = $dir/osd
rgw data = $dir/rgw
paxos propose interval = 0.05
paxos min wait = 0.01
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd objectstore = $store
memstore device bytes = $memstore_bytes
bluestore block path = $dir/bluestore-block
bluestore block create = true
bluestore block size = $bluestore_bytes
rgw frontends = beast endpoint=$rgw
EOF

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
