#!/bin/sh
# Throwaway test PKI for the PoC: CA, server cert (localhost/127.0.0.1), two client certs
# (one from the CA, one self-signed = "unknown"), and one expired client cert.
set -e
cd "$(dirname "$0")/pki"
rm -rf *.pem *.srl *.csr *.cnf ca.db
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 30 \
  -subj "/C=SE/O=Slussen Test/CN=Slussen Test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
mk() { # name subject ext days
  openssl req -newkey rsa:2048 -nodes -keyout $1-key.pem -out $1.csr -subj "$2" 2>/dev/null
  printf '%s\n' "$3" > $1.cnf
  openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out $1.pem \
    -days $4 -extfile $1.cnf 2>/dev/null
}
mk server "/C=SE/O=Slussen Test/CN=localhost" \
  "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth" 30
mk client "/C=SE/O=Kommun 1380/CN=adapter-kommun-1380" "extendedKeyUsage=clientAuth" 30
# a second server cert for the reload test
mk server2 "/C=SE/O=Slussen Test/CN=localhost reloaded" \
  "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth" 30
# unknown: self-signed client
openssl req -x509 -newkey rsa:2048 -nodes -keyout unknown-key.pem -out unknown.pem -days 30 \
  -subj "/C=SE/O=Evil/CN=unknown" 2>/dev/null
# expired: valid from 10 days ago to yesterday (openssl 3.0 x509 -req has no -not_before; use ca)
openssl req -newkey rsa:2048 -nodes -keyout expired-key.pem -out expired.csr \
  -subj "/C=SE/O=Kommun 1380/CN=expired" 2>/dev/null
mkdir -p ca.db && : > ca.db/index.txt && echo 01 > ca.db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
CNF
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca-key.pem -in expired.csr -out expired.pem \
  -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
# a SITHS-like subject with UTF-8 and a comma (shows Proton's RFC 2253 escaping of the identity)
openssl req -newkey rsa:2048 -nodes -keyout utf8-key.pem -out utf8.csr -utf8 \
  -subj "/C=SE/O=Malmö stad/serialNumber=SE2321000131-E000000000001/CN=Åsa Öberg, adapter" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > utf8.cnf
openssl x509 -req -in utf8.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out utf8.pem -days 30 -extfile utf8.cnf 2>/dev/null
ls
