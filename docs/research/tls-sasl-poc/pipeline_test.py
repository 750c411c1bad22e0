#!/usr/bin/env python3
"""Sends SASL header + sasl-init(PLAIN) + AMQP header + open in ONE write (pipelined, as some
clients do), to a plain listener (POC_INSECURE_PLAIN=1), and prints what comes back."""
import socket, struct, sys
def frame(body, typ):
    return struct.pack('>IBBH', 8 + len(body), 2, typ, 0) + body
def lst(items):
    b = b''.join(items); return b'\xc0' + bytes([len(b) + 1, len(items)]) + b
def sym(s): return b'\xa3' + bytes([len(s)]) + s
def binary(s): return b'\xa0' + bytes([len(s)]) + s
def strv(s): return b'\xa1' + bytes([len(s)]) + s
user, pw = sys.argv[2], sys.argv[3]
init = frame(b'\x00\x53\x41' + lst([sym(b'PLAIN'), binary(b'\0' + user.encode() + b'\0' + pw.encode())]), 1)
open_ = frame(b'\x00\x53\x10' + lst([strv(b'pipeliner')]), 0)
data = b'AMQP\x03\x01\x00\x00' + init
if sys.argv[4] == 'pipelined': data += b'AMQP\x00\x01\x00\x00' + open_
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(data); s.settimeout(2)
got = b''
try:
    while True:
        d = s.recv(4096)
        if not d: break
        got += d
except socket.timeout: pass
print('received %d bytes: %r' % (len(got), got))
