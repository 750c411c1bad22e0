#!/bin/sh
# A throwaway test PKI for the hub's TLS listener and SASL EXTERNAL: NOT for production (the CA
# key lies next to its certificate, unprotected). Used by the integration tests (each runs it into
# its own temporary directory) and for trying TLS by hand. Needs only Debian's openssl.
#
# usage: deploy/pki/make-test-ca.sh DIR
#
# Writes into DIR (keys are NAME-key.pem, mode 0600):
#   ca.pem                the test CA (clients trust it for the hub; the hub for clients)
#   server.pem            the hub: CN=localhost, names localhost and 127.0.0.1 (also as a DNS
#                         name: Proton 0.37 checks a peer's DNS names and CN, not IP addresses)
#   client.pem            an adapter: CN=adapter-kommun-1380,O=Kommun 1380,C=SE
#   siths.pem             a SITHS-like subject with UTF-8, a comma and a serialNumber (HSA-id)
#   expired.pem           from the test CA, valid 2020-01-01 to 2020-01-02 only
#   other-ca.pem          a CA nobody trusts, and from it:
#   unknown.pem           a client certificate (fails the hub's verification)
#   server-other.pem      a hub certificate (for reload tests: only clients trusting other-ca.pem
#                         accept the hub once it has been reloaded with it)
#   subjects.txt          each client certificate's subject as the hub sees it (RFC 2253), for
#                         <login certificate-subject="...">
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
cd "$1"
umask 077
DAYS=30

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1-key.pem" 2>/dev/null; }

# ca NAME SUBJECT
ca() {
  key "$1"
  openssl req -x509 -new -key "$1-key.pem" -out "$1.pem" -days $DAYS -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# cert NAME SUBJECT ISSUER EXTENSIONS [-utf8]
cert() {
  key "$1"
  openssl req -new -key "$1-key.pem" -out "$1.csr" -subj "$2" ${5:-}
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -CAcreateserial -out "$1.pem" \
    -days $DAYS -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

SERVER_EXT="subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1
extendedKeyUsage=serverAuth"
CLIENT_EXT="extendedKeyUsage=clientAuth"

ca ca "/C=SE/O=Slussen Test/CN=Slussen Test CA"
cert server "/C=SE/O=Slussen Test/CN=localhost" ca "$SERVER_EXT"
cert client "/C=SE/O=Kommun 1380/CN=adapter-kommun-1380" ca "$CLIENT_EXT"
cert siths "/C=SE/O=Malmö stad/serialNumber=SE2321000131-E000000000001/CN=Åsa Öberg, adapter" ca \
  "$CLIENT_EXT" -utf8

# Expired: openssl 3.0's "x509 -req" cannot back-date, "ca" can.
key expired
openssl req -new -key expired-key.pem -out expired.csr -subj "/C=SE/O=Kommun 1380/CN=expired"
mkdir -p ca.db
: > ca.db/index.txt
echo 01 > ca.db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca-key.pem -in expired.csr -out expired.pem \
  -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
rm -rf ca.db ca.cnf expired.csr

ca other-ca "/C=SE/O=Somebody Else/CN=Unknown CA"
cert unknown "/C=SE/O=Kommun 1380/CN=adapter-kommun-1380" other-ca "$CLIENT_EXT"
cert server-other "/C=SE/O=Slussen Test/CN=localhost" other-ca "$SERVER_EXT"

for c in client siths expired unknown; do
  printf '%s %s\n' "$c" "$(openssl x509 -in $c.pem -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
done > subjects.txt
rm -f ./*.srl
# Certificates are public; keys stay 0600 (umask 077), as the hub insists for its own key.
chmod 644 ca.pem other-ca.pem server.pem server-other.pem client.pem siths.pem expired.pem \
  unknown.pem subjects.txt
