#!/bin/bash
# make-capture-conns.sh COUNT OUT — a capture of COUNT short RTSP connections, for scripts/bench
# (is the cost per packet the same with many small connections as with a few big ones?).
#
# Real peers on loopback only: the shared gst_rtsp_server.py (H.264 160x120, a pipeline per
# connection) on 127.0.0.1:8596 and CONNS_PARALLEL (default 6) loops of ffprobe, each run one
# TCP connection (OPTIONS, DESCRIBE, SETUP, PLAY, a few frames interleaved, TEARDOWN).
# dumpcap captures with a filter on the port.  Bounded by CONNS_MAX_S (default 900 s): when
# time is up the capture holds fewer connections, and the script says how many.
# Never commit the output.
set -u
COUNT=${1:?usage: make-capture-conns.sh COUNT OUT}
OUT=${2:?usage: make-capture-conns.sh COUNT OUT}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
TOOLS_DIR=${TOOLS_DIR:-$(cd "$(dirname "$0")/../../shared/captures/tools" 2>/dev/null && pwd)}
[ -f "${TOOLS_DIR:-}/lib.sh" ] || TOOLS_DIR=/work/shared/captures/tools
export TOOLS_DIR
. "$TOOLS_DIR/lib.sh"
CMDLOG=/dev/null
PORT=${CONNS_PORT:-8596}
PAR=${CONNS_PARALLEL:-6}
MAX_S=${CONNS_MAX_S:-900}
URL=rtsp://127.0.0.1:$PORT/c
DONE_DIR=$WORK/conns.$$
mkdir -p "$DONE_DIR"

WORKERS=()
finish_all() {
    local p
    touch "$DONE_DIR/stop"
    for p in "${WORKERS[@]}"; do wait "$p" 2>/dev/null; done
    WORKERS=()
    sleep 0.5
    cleanup_started   # dumpcap (INT: it finishes the file), then the server
    rm -rf "$DONE_DIR"
}
trap finish_all EXIT
trap 'exit 1' INT TERM

srv_start "$WORK/conns-srv.$$.log" $PY "$GST_SERVER" --port "$PORT" --path /c --media h264 \
    --protocols tcp || exit 1
cap_start "$OUT" lo "host 127.0.0.1 and tcp port $PORT" -B 32 || exit 1
CAP_OUT=$OUT

# worker I N: N ffprobe runs one after the other (each bounded by timeout), until stopped.
worker() {
    local i=$1 n=$2 k=0
    while [ "$k" -lt "$n" ] && [ ! -e "$DONE_DIR/stop" ]; do
        timeout 10 ffprobe -v error -rtsp_transport tcp -analyzeduration 200000 -probesize 4096 \
            -show_entries stream=codec_name -of csv=p=0 "$URL" >/dev/null 2>>"$WORK/conns-cli.$$.log"
        k=$((k + 1))
        echo "$k" >"$DONE_DIR/$i"
    done
}
start=$(date +%s)
for ((i = 0; i < PAR; i++)); do
    n=$((COUNT / PAR + (i < COUNT % PAR ? 1 : 0)))
    worker "$i" "$n" &
    WORKERS+=("$!")
done
while :; do
    running=0
    for p in "${WORKERS[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
    [ "$running" = 0 ] && break
    if [ $(($(date +%s) - start)) -ge "$MAX_S" ]; then
        log "time is up after $MAX_S s"
        touch "$DONE_DIR/stop"
    fi
    sleep 1
done
made=$(cat "$DONE_DIR"/[0-9]* 2>/dev/null | awk '{s += $1} END {print s + 0}')
elapsed=$(($(date +%s) - start))
finish_all
trap - EXIT
log "$OUT: $made ffprobe connections in ${elapsed} s, $(stat -c %s "$OUT") bytes"
capinfos -c -u "$OUT" 2>/dev/null | sed 's/^/  /' >&2
