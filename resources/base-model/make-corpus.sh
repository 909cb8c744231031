#!/usr/bin/env bash
# Makes the labelled capture corpus that the shipped base model is meta-trained on: real tools
# against real services (nginx, sshd, dnsmasq), all inside a private network namespace that this
# script creates, on 127.0.0.1 only, with netem delay and jitter on that namespace's loopback so
# round-trip times look like a LAN. Each scenario is bounded in packets and seconds. Nothing
# leaves the namespace (it has no interface but lo).
#
#   sudo resources/base-model/make-corpus.sh OUT_DIR
#
# Writes OUT_DIR/<class>--<scenario>.pcap (the class of every flow in it is the part before --)
# and OUT_DIR/corpus.csv (file,class,scenario,tool,seconds). Needs root (namespaces, tcpdump) and
# Debian's nmap hping3 hydra slowhttptest nginx-light openssh-server dnsmasq-base dnsutils curl
# tcpdump iproute2 (installed when missing).
set -euo pipefail
OUT=$(realpath -m "${1:-/tmp/nstd-corpus}")
SCALE=${NSTD_CORPUS_SCALE:-1}   # multiply scenario sizes (bounded: at most 4)
[ "$SCALE" -ge 1 ] && [ "$SCALE" -le 4 ] || { echo "NSTD_CORPUS_SCALE must be 1-4" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "make-corpus.sh needs root (network namespace, tcpdump)" >&2; exit 2; }

need="nmap hping3 hydra slowhttptest nginx-light openssh-server dnsmasq-base dnsutils curl tcpdump iproute2"
missing=""; for p in $need; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/nstd-corpus-work.XXXXXX)
NS="nstd-corpus-$$"
USER_NAME="nstdcorpus"
PIDS=()
ns() { ip netns exec "$NS" "$@"; }

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  id "$USER_NAME" >/dev/null 2>&1 && userdel "$USER_NAME" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS"
ns ip link set lo up
# LAN-like latency: 2 ms +- 1 ms each way on the namespace's own loopback (needs the sch_netem
# kernel module; without it the corpus has loopback timing, and corpus.csv says so).
NETEM=yes
ns tc qdisc add dev lo root netem delay 2ms 1ms distribution normal limit 100000 2>/dev/null || {
  NETEM=no; echo "warning: netem unavailable (no sch_netem module): captures have loopback latency" >&2; }

# --- services -----------------------------------------------------------------------------------
mkdir -p "$WORK/www/docs" "$WORK/www/admin" "$WORK/ssh" /run/sshd
for i in $(seq 1 40); do head -c $(( (i * 7919) % 40000 + 300 )) /dev/urandom | base64 > "$WORK/www/docs/page$i.html"; done
echo '<html><body><h1>corp intranet</h1></body></html>' > "$WORK/www/index.html"
echo 'secret' > "$WORK/www/admin/index.html"
printf 'admin:%s\n' "$(openssl passwd -apr1 'sunshine42')" > "$WORK/htpasswd"
cat > "$WORK/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  keepalive_timeout 15;
  server {
    listen 127.0.0.1:8080;
    root $WORK/www;
    location /admin/ { auth_basic "admin"; auth_basic_user_file $WORK/htpasswd; }
  }
}
NGINX
ip netns exec "$NS" nginx -c "$WORK/nginx.conf" & PIDS+=($!)

id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d "$WORK" -s /bin/sh "$USER_NAME"
echo "$USER_NAME:blue-falcon-77" | chpasswd
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/client_key"
mkdir -p "$WORK/.ssh"; cp "$WORK/ssh/client_key.pub" "$WORK/.ssh/authorized_keys"
chown -R "$USER_NAME" "$WORK/.ssh"; chmod 700 "$WORK/.ssh"; chmod 600 "$WORK/.ssh/authorized_keys"; chmod 755 "$WORK"
cat > "$WORK/sshd_config" <<SSHD
Port 2222
ListenAddress 127.0.0.1
HostKey $WORK/ssh/host_key
PasswordAuthentication yes
PubkeyAuthentication yes
AuthorizedKeysFile $WORK/.ssh/authorized_keys
StrictModes no
UsePAM yes
MaxAuthTries 6
MaxStartups 64:30:128
PidFile $WORK/sshd.pid
SSHD
ip netns exec "$NS" /usr/sbin/sshd -D -f "$WORK/sshd_config" -E "$WORK/sshd.log" & PIDS+=($!)

ip netns exec "$NS" dnsmasq --no-daemon --port=5353 --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
  --address=/corp.example/127.0.0.1 --address=/mail.corp.example/127.0.0.1 --txt-record=corp.example,"v=spf1 -all" \
  --pid-file="$WORK/dnsmasq.pid" --log-facility="$WORK/dnsmasq.log" & PIDS+=($!)
sleep 1.5

SSH_OPTS=(-i "$WORK/ssh/client_key" -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR)
# A small password list: the real password is not in it (hydra runs the whole list).
printf '%s\n' 123456 password 12345678 qwerty abc123 monkey letmein dragon 111111 baseball iloveyou trustno1 \
  sunshine master welcome shadow ashley football jesus michael ninja mustang password1 admin root toor \
  changeme secret login pass test guest hello summer winter spring autumn 654321 zaq12wsx qazwsx \
  > "$WORK/words.txt"

echo "file,class,scenario,tool,seconds,netem" > "$OUT/corpus.csv"

# capture CLASS SCENARIO TOOL SECONDS_LIMIT -- command...: runs the command in the namespace under
# tcpdump and a time bound, and writes OUT/CLASS--SCENARIO.pcap.
capture() {
  local class=$1 scenario=$2 tool=$3 limit=$4; shift 5
  local file="$OUT/${class}--${scenario}.pcap"
  # Snap length 256: headers and the start of payloads; the original lengths stay in the records.
  ip netns exec "$NS" tcpdump -i lo -n -s 256 -U -w "$file" 2>/dev/null & local tpid=$!
  sleep 1
  local t0=$SECONDS
  ns timeout --signal=INT "$limit" "$@" >/dev/null 2>&1 || true
  sleep 1.5
  kill -INT "$tpid" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$tpid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true
  echo "$(basename "$file"),$class,$scenario,$tool,$((SECONDS - t0)),$NETEM" >> "$OUT/corpus.csv"
  echo "  $class / $scenario: $(stat -c %s "$file") bytes in $((SECONDS - t0)) s"
}

# Benign traffic generators (run inside the namespace).
cat > "$WORK/benign-web.sh" <<'B'
#!/bin/sh
n=$1
i=0
while [ $i -lt $n ]; do
  p=$(( (i * 13) % 40 + 1 ))
  case $((i % 4)) in
    0) curl -s -o /dev/null "http://127.0.0.1:8080/" "http://127.0.0.1:8080/docs/page$p.html" ;;
    1) curl -s -o /dev/null "http://127.0.0.1:8080/docs/page$p.html" ;;
    2) curl -s -o /dev/null -u admin:sunshine42 "http://127.0.0.1:8080/admin/" ;;
    3) curl -s -o /dev/null --http1.0 "http://127.0.0.1:8080/docs/page$(( (p % 40) + 1 )).html" ;;
  esac
  sleep 0.0$(( (i * 7) % 9 + 1 ))
  i=$((i + 1))
done
B
cat > "$WORK/benign-dns.sh" <<'B'
#!/bin/sh
n=$1
i=0
for name in corp.example mail.corp.example www.corp.example files.corp.example nope.invalid; do :; done
while [ $i -lt $n ]; do
  case $((i % 5)) in
    0) dig +short +tries=1 +time=1 -p 5353 @127.0.0.1 corp.example A ;;
    1) dig +short +tries=1 +time=1 -p 5353 @127.0.0.1 mail.corp.example A ;;
    2) dig +short +tries=1 +time=1 -p 5353 @127.0.0.1 corp.example TXT ;;
    3) dig +short +tries=1 +time=1 -p 5353 @127.0.0.1 host$i.corp.example AAAA ;;
    4) dig +short +tries=1 +time=1 -p 5353 @127.0.0.1 corp.example MX ;;
  esac
  sleep 0.0$(( (i * 3) % 9 + 1 ))
  i=$((i + 1))
done
B
cat > "$WORK/benign-ssh.sh" <<B
#!/bin/sh
i=0
while [ \$i -lt \$1 ]; do
  ssh ${SSH_OPTS[*]} $USER_NAME@127.0.0.1 "ls -la /usr/bin | head -n \$((i * 10 + 5)); uptime" >/dev/null 2>&1
  scp -q -P 2222 -i $WORK/ssh/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes $WORK/www/docs/page\$((i % 40 + 1)).html $USER_NAME@127.0.0.1:/dev/null >/dev/null 2>&1
  sleep 0.3
  i=\$((i + 1))
done
B
chmod +x "$WORK"/benign-*.sh
S=$SCALE

echo "scenarios (scale $S):"
capture BENIGN web curl 120 -- "$WORK/benign-web.sh" $((400 * S))
capture BENIGN dns dig 120 -- "$WORK/benign-dns.sh" $((500 * S))
capture BENIGN ssh ssh 150 -- "$WORK/benign-ssh.sh" $((25 * S))
capture PortScan syn-scan nmap 90 -- nmap -n -Pn -sS -p 1-$((3000 * S)) --max-rate 3000 127.0.0.1
capture PortScan connect-scan nmap 90 -- nmap -n -Pn -sT -p 1-$((1500 * S)) --max-rate 2000 127.0.0.1
capture PortScan version-scan nmap 120 -- nmap -n -Pn -sV --version-light -p 22,53,80,2222,5353,8080 127.0.0.1
capture PortScan udp-scan nmap 60 -- nmap -n -Pn -sU --max-retries 1 -p 1-$((300 * S)) --max-rate 2000 127.0.0.1
capture DoS syn-flood hping3 30 -- hping3 -S -p 8080 -c $((20000 * S)) -i u150 127.0.0.1
capture DoS udp-flood hping3 30 -- hping3 --udp -p 5353 -d 120 -c $((10000 * S)) -i u200 127.0.0.1
capture DoS icmp-flood hping3 30 -- hping3 --icmp -d 64 -c $((10000 * S)) -i u200 127.0.0.1
capture DoS slowloris slowhttptest 60 -- slowhttptest -H -c $((250 * S)) -i 5 -r 60 -l 40 -x 20 -p 3 -u http://127.0.0.1:8080/
capture DoS slow-body slowhttptest 60 -- slowhttptest -B -c $((150 * S)) -i 5 -r 40 -l 40 -s 8192 -x 20 -p 3 -u http://127.0.0.1:8080/
capture BruteForce ssh-hydra hydra 150 -- hydra -l "$USER_NAME" -P "$WORK/words.txt" -t 4 -I -s 2222 ssh://127.0.0.1
capture BruteForce http-hydra hydra 90 -- hydra -l admin -P "$WORK/words.txt" -t 8 -I -s 8080 127.0.0.1 http-get /admin/
capture WebScan http-enum nmap 150 -- nmap -n -Pn -p 8080 --script http-enum,http-headers,http-methods 127.0.0.1

echo "corpus in $OUT: $(ls "$OUT"/*.pcap | wc -l) captures, $(du -sh "$OUT" | cut -f1)"
