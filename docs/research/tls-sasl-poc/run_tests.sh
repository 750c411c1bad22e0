#!/bin/bash
# Runs every PoC scenario; prints client results and the server logs. Needs: make (built), ports
# 5690-5696 free on 127.0.0.1.
cd "$(dirname "$0")"
set -u
[ -f pki/ca.pem ] || ./make_pki.sh >/dev/null
make -s all
cp pki/server.pem pki/live-server.pem; cp pki/server-key.pem pki/live-server-key.pem
start() { # port mode [env...]
  local port=$1 mode=$2; shift 2
  env "$@" ./server $port $mode > logs/server-$port-$mode.txt 2>&1 & SERVER=$!
  sleep 1.5
}
stop() { kill $SERVER; wait $SERVER 2>/dev/null; echo "----- server log:"; grep -v "pn_ssl_present\|listening" logs/server-$1-$2.txt; echo; }
t() { echo "### $*"; timeout 15 "$@"; }
mkdir -p logs

echo "================ listener 'optional' (TLS, no client cert requested)"
start 5690 optional
t ./client 5690 PLAIN adapter-kommun-1380 s3cret
t ./client 5690 PLAIN adapter-kommun-1380 wrong
t ./client 5690 PLAIN nobody s3cret
t ./client 5690 EXTERNAL --cert client
t ./client 5690 PLAIN adapter-kommun-1380 s3cret --no-tls
t ./client 5690 ANONYMOUS --no-tls
for v in tls1 tls1_1 tls1_2 tls1_3; do echo "### openssl s_client -$v"; echo | timeout 5 openssl s_client -connect 127.0.0.1:5690 -$v -cipher 'DEFAULT:@SECLEVEL=0' -CAfile pki/ca.pem 2>&1 | grep -E "^New,|Verify return code"; done
echo "### bare AMQP header (no SASL) over TLS"; printf 'AMQP\0\1\0\0' | timeout 5 openssl s_client -quiet -connect 127.0.0.1:5690 -CAfile pki/ca.pem 2>/dev/null | od -c | head -5
stop 5690 optional

echo "================ listener 'require' (TLS, client cert required)"
start 5691 require
t ./client 5691 EXTERNAL --cert client
t ./client 5691 PLAIN adapter-kommun-1380 s3cret --cert client
t ./client 5691 PLAIN adapter-kommun-1380 wrong --cert client
t ./client 5691 PLAIN adapter-kommun-1380 s3cret
t ./client 5691 EXTERNAL --cert unknown
t ./client 5691 EXTERNAL --cert expired
echo "### reload: a client connects, the server certificate is replaced + SIGHUP, the client sends afterwards"
(timeout 15 ./client 5691 EXTERNAL --cert client --hold 3 > logs/held-client.txt 2>&1 &)
sleep 1
cp pki/server2.pem pki/live-server.pem; cp pki/server2-key.pem pki/live-server-key.pem; kill -HUP $SERVER; sleep 0.3
t ./client 5691 PLAIN adapter-kommun-1380 s3cret --cert client
sleep 3; echo "### the client that connected before the reload:"; cat logs/held-client.txt
echo "### broken reload (key missing): old generation stays"
mv pki/live-server-key.pem pki/live-server-key.pem.x; kill -HUP $SERVER; sleep 0.3
t ./client 5691 EXTERNAL --cert client
mv pki/live-server-key.pem.x pki/live-server-key.pem
cp pki/server.pem pki/live-server.pem; cp pki/server-key.pem pki/live-server-key.pem
stop 5691 require

echo "================ listener 'hybrid' (client cert requested but optional; HACK into pn_ssl_domain_t)"
start 5693 hybrid
t ./client 5693 EXTERNAL --cert client
t ./client 5693 PLAIN adapter-kommun-1380 s3cret
t ./client 5693 PLAIN adapter-kommun-1380 wrong
t ./client 5693 PLAIN adapter-kommun-1380 s3cret --cert client
t ./client 5693 EXTERNAL
t ./client 5693 EXTERNAL --cert unknown
t ./client 5693 PLAIN adapter-kommun-1380 s3cret --cert expired
[ -f pki/utf8.pem ] && t ./client 5693 EXTERNAL --cert utf8
stop 5693 hybrid

echo "================ listener 'cpp' (TLS through C++ connection_options::ssl_server_options)"
start 5694 cpp
t ./client 5694 PLAIN adapter-kommun-1380 s3cret
for v in tls1 tls1_1 tls1_2; do echo "### openssl s_client -$v"; echo | timeout 5 openssl s_client -connect 127.0.0.1:5694 -$v -cipher 'DEFAULT:@SECLEVEL=0' 2>&1 | grep -E "^New,|Protocol  :"; done
stop 5694 cpp

echo "================ TLS 1.0/1.1 with the C API but without set_protocols (POC_NO_PROTOCOLS), then with only POC_CIPHERS @SECLEVEL=2"
start 5695 optional POC_NO_PROTOCOLS=1
for v in tls1 tls1_1; do echo "### openssl s_client -$v"; echo | timeout 5 openssl s_client -connect 127.0.0.1:5695 -$v -cipher 'DEFAULT:@SECLEVEL=0' 2>&1 | grep -E "Protocol  :"; done
stop 5695 optional
start 5696 optional POC_NO_PROTOCOLS=1 'POC_CIPHERS=HIGH:!aNULL:!eNULL:@SECLEVEL=2'
for v in tls1 tls1_1; do echo "### openssl s_client -$v"; echo | timeout 5 openssl s_client -connect 127.0.0.1:5696 -$v -cipher 'DEFAULT:@SECLEVEL=0' 2>&1 | grep -E "^New,"; done
stop 5696 optional

echo "================ pipelined sasl-init + AMQP header + open, deferred outcome (plain listener, PLAIN allowed for the test)"
start 5692 plain POC_INSECURE_PLAIN=1 PN_TRACE_FRM=1
t python3 pipeline_test.py 5692 adapter-kommun-1380 s3cret pipelined
t python3 pipeline_test.py 5692 adapter-kommun-1380 wrong pipelined
stop 5692 plain
