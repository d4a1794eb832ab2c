#!/usr/bin/env bash
# Regenerates the test PKI: a CA, a server certificate for 127.0.0.1/localhost signed by it,
# and one for the wrong host (wrong.example). Valid for 20 years. Test use only: the keys are public.
set -euo pipefail
cd "$(dirname "$0")"
days=7300
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
  -subj "/CN=boldsign-idv test CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
issue() { # name subjectAltName
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days $days -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
issue server "IP:127.0.0.1,DNS:localhost"
issue wrong-host "DNS:wrong.example"
rm -f ca.srl
