#!/bin/bash
# make-capture-b.sh SIZE_MB OUT — a large "camera-like" capture for scripts/bench (never commit it).
#
# Real peers in two network namespaces made here and deleted at the end, joined by a veth pair
# with MTU 1500 and every offload off (so the capture holds wire-size packets, ~1400 bytes of RTP,
# not 64 KiB GSO blobs):
#   rib_srv  10.200.8.1/24  gst_rtsp_server.py (shared's tools), one shared H.264 pipeline
#                           (x264, 640x480, 30 fps, CAPB_KBPS kbit/s, default 5000)
#   rib_cli  10.200.8.2/24  CAPB_SESSIONS client loops (default 16) at once, cycling through
#                           ffmpeg over TCP interleaved, ffmpeg over UDP, gst rtspsrc over TCP,
#                           gst rtspsrc over UDP; each session lasts 8-20 s, then the loop
#                           starts another one (so the file holds many OPTIONS..TEARDOWN).
# dumpcap runs in rib_cli on the veth with a capture filter and stops itself at SIZE_MB
# (-a filesize); then every process started here is stopped by its PID and the namespaces
# are deleted.  Run time is bounded by CAPB_MAX_S (default 900 s).
#
#   scripts/make-capture-b.sh 1000 /tmp/b-1000.pcapng     # ~1 GB, ~750 k packets, ~90 s
set -u
SIZE_MB=${1:?usage: make-capture-b.sh SIZE_MB OUT}
OUT=${2:?usage: make-capture-b.sh SIZE_MB OUT}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
[ "$(id -u)" = 0 ] || { echo "make-capture-b.sh: needs root (network namespaces)" >&2; exit 1; }
TOOLS_DIR=${TOOLS_DIR:-$(cd "$(dirname "$0")/../../shared/captures/tools" 2>/dev/null && pwd)}
[ -f "${TOOLS_DIR:-}/lib.sh" ] || TOOLS_DIR=/work/shared/captures/tools
export TOOLS_DIR
. "$TOOLS_DIR/lib.sh"
CMDLOG=/dev/null

NS=${CAPB_NS:-rib}
SRV_NS=${NS}_srv
CLI_NS=${NS}_cli
SRV_IP=10.200.8.1
CLI_IP=10.200.8.2
PORT=8554
UDP=40800-40899
SESSIONS=${CAPB_SESSIONS:-16}
KBPS=${CAPB_KBPS:-5000}
MAX_S=${CAPB_MAX_S:-900}
URL=rtsp://$SRV_IP:$PORT/cam
STOP=$WORK/capb.stop.$$
rm -f "$STOP"

ns_down() {
    ip netns del "$SRV_NS" 2>/dev/null
    ip netns del "$CLI_NS" 2>/dev/null
    return 0
}
LOOP_PIDS=()
finish_all() {
    touch "$STOP"
    local i p
    for p in "${LOOP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    # INT to every running client at once, then wait for each (TERM, KILL if need be)
    for ((i = 0; i < SESSIONS; i++)); do
        p=$(cat "$WORK/capb.$$.$i.pid" 2>/dev/null)
        [ -n "$p" ] && kill -INT "$p" 2>/dev/null
    done
    for ((i = 0; i < SESSIONS; i++)); do
        stop_pid "$(cat "$WORK/capb.$$.$i.pid" 2>/dev/null)" INT
        rm -f "$WORK/capb.$$.$i.pid"
    done
    for p in "${LOOP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    LOOP_PIDS=()
    cleanup_started
    ns_down
    rm -f "$STOP"
}
trap finish_all EXIT
trap 'exit 1' INT TERM

# --- the namespaces and the veth pair (addresses only inside them) ------------------------
ns_down
ip netns add "$SRV_NS"
ip netns add "$CLI_NS"
ip link add vb_srv netns "$SRV_NS" type veth peer name vb_cli netns "$CLI_NS"
for side in srv cli; do
    ns=${NS}_$side
    if [ $side = srv ]; then a=$SRV_IP; else a=$CLI_IP; fi
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip link set vb_$side mtu 1500
    ip netns exec "$ns" ethtool -K vb_$side tso off gso off gro off tx off >/dev/null 2>&1
    ip netns exec "$ns" ip addr add $a/24 dev vb_$side
    ip netns exec "$ns" ip link set vb_$side up
done
log "netns $SRV_NS ($SRV_IP) / $CLI_NS ($CLI_IP) joined by vb_srv/vb_cli, mtu 1500, offloads off"

srv_start "$WORK/capb-srv.$$.log" ip netns exec "$SRV_NS" $PY "$GST_SERVER" --address "$SRV_IP" \
    --port "$PORT" --udp-ports "$UDP" --path /cam --media h264 --shared --width 640 --height 480 \
    --fps 30 --kbps "$KBPS" --pattern snow --mtu 1400 || exit 1
NETNS=$CLI_NS cap_start "$OUT" vb_cli \
    "host $SRV_IP and (tcp port $PORT or udp portrange $UDP)" -B 64 -a "filesize:$((SIZE_MB * 1000))" \
    || exit 1
CAP_OUT=$OUT

# client_loop I : session after session of one kind until $STOP exists; the running client's
# PID is kept in $WORK/capb.$$.I.pid so it can be stopped by PID.
client_loop() {
    local i=$1 n=0 dur kind
    kind=$((i % 4))
    while [ ! -e "$STOP" ]; do
        dur=$((8 + (i * 5 + n * 3) % 13))
        case $kind in
        0) ip netns exec "$CLI_NS" timeout $((dur + 15)) ffmpeg -nostdin -hide_banner -loglevel error \
               -rtsp_transport tcp -i "$URL" -t "$dur" -c copy -f null - ;;
        1) ip netns exec "$CLI_NS" timeout $((dur + 15)) ffmpeg -nostdin -hide_banner -loglevel error \
               -rtsp_transport udp -min_port $((41000 + i * 20)) -max_port $((41019 + i * 20)) \
               -buffer_size 4000000 -i "$URL" -t "$dur" -c copy -f null - ;;
        2) ip netns exec "$CLI_NS" timeout -s INT "$dur" gst-launch-1.0 -q -e \
               rtspsrc location="$URL" protocols=tcp ! fakesink ;;
        3) ip netns exec "$CLI_NS" timeout -s INT "$dur" gst-launch-1.0 -q -e \
               rtspsrc location="$URL" protocols=udp port-range=$((42000 + i * 20))-$((42019 + i * 20)) \
               udp-buffer-size=4000000 ! fakesink ;;
        esac >>"$WORK/capb-cli.$$.$i.log" 2>&1 &
        echo $! >"$WORK/capb.$$.$i.pid"
        wait $!
        n=$((n + 1))
        sleep 0.3
    done
}
for ((i = 0; i < SESSIONS; i++)); do
    client_loop "$i" &
    LOOP_PIDS+=("$!")
    sleep 0.3
done

start=$(date +%s)
while kill -0 "$CAP_PID" 2>/dev/null; do
    sleep 1
    if [ $(($(date +%s) - start)) -ge "$MAX_S" ]; then
        log "giving up after $MAX_S s"
        stop_pid "$CAP_PID" INT
        break
    fi
done
elapsed=$(($(date +%s) - start))
finish_all
trap - EXIT
log "$OUT: $(stat -c %s "$OUT") bytes in ${elapsed} s"
capinfos -c -u -E "$OUT" 2>/dev/null | sed 's/^/  /' >&2
