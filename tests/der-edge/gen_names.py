# Writes certificates whose subject/issuer exercise RFC 4514 escaping, string
# types and X509_NAME_cmp canonical equality, for tests/unit/test_der_facts.c.
# Usage: python3 gen_names.py base.der names/   (base: rsa0.pem as DER)
import sys, os, itertools
def rd(b, i):
    tag = b[i]; l = b[i+1]; j = i+2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[j:j+n], 'big'); j += n
    return tag, b[j:j+l], j+l
def parse(b):
    out = []; i = 0
    while i < len(b):
        tag, v, i = rd(b, i)
        if tag & 0x20: out.append([tag, parse(v)])
        else: out.append([tag, v])
    return out
def enc_len(n):
    if n < 128: return bytes([n])
    s = n.to_bytes((n.bit_length()+7)//8, 'big'); return bytes([0x80|len(s)]) + s
def ser(node):
    tag, v = node
    body = b''.join(ser(c) for c in v) if isinstance(v, list) else v
    return bytes([tag]) + enc_len(len(body)) + body
def name(rdns):  # rdns: list of list of (oid_bytes, tag, value)
    return [0x30, [[0x31, [[0x30, [[0x06, o], [t, v]]] for (o, t, v) in rdn]] for rdn in rdns]]
CN = bytes.fromhex('550403'); O = bytes.fromhex('55040a'); UNK = bytes.fromhex('2b060104018237ff7f01'); SN=bytes.fromhex('550405')
src = open(sys.argv[1], 'rb').read(); outdir = sys.argv[2]
cert = parse(src)[0]
tbs = cert[1][0]
# tbs children: [a0 version], serial, sigalg, issuer(3), validity, subject(5), spki, [a3]
has_v = tbs[1][0][0] == 0xa0
iss_i = 3 if has_v else 2; sub_i = iss_i + 2
def emit(label, subj, iss=None):
    t = [tbs[0], list(tbs[1])]
    t[1][sub_i] = subj; t[1][iss_i] = iss if iss is not None else subj
    c = [0x30, [t, cert[1][1], cert[1][2]]]
    open(os.path.join(outdir, label + '.der'), 'wb').write(ser(c))
vals = [b'plain', b'#hash', b'#', b' ', b' lead', b'trail ', b'a,b+c"d\\e<f>g;h', b'ctl\x01\x1f\x7f', b'nul\x00x',
        b'caf\xe9', b'\xff\x80', b'a=b', b'', b'  Mixed   CASE  \t x ', b'caf\xc3\xa9', b'\xed\xa0\x80', b'\xc0\x80']
tags = [0x0c, 0x13, 0x14, 0x16, 0x1a, 0x12, 0x1e, 0x1c, 0x02]
n = 0
for vi, v in enumerate(vals):
    for t in tags:
        emit(f'n{vi}-t{t:02x}', name([[(CN, t, v)], [(O, 0x13, b'Org')]]))
        n += 1
emit('unknown-oid', name([[(UNK, 0x0c, b'x')], [(CN, 0x0c, b'y')]]))
emit('multi-rdn', name([[(CN, 0x0c, b'a'), (O, 0x0c, b'b')], [(SN, 0x13, b'1')]]))
emit('empty-name', [0x30, []])
emit('empty-rdn', [0x30, [[0x31, []]]])
emit('canon-case', name([[(CN, 0x0c, b'Hello  World')]]), name([[(CN, 0x13, b' hello world ')]]))
emit('canon-numeric', name([[(CN, 0x12, b'123')]]), name([[(CN, 0x13, b'123')]]))
emit('canon-diff', name([[(CN, 0x0c, b'a')]]), name([[(CN, 0x0c, b'b')]]))
emit('canon-count', name([[(CN, 0x0c, b'a')]]), name([[(CN, 0x0c, b'a')], [(O, 0x0c, b'a')]]))
emit('canon-latin1', name([[(CN, 0x14, b'caf\xe9')]]), name([[(CN, 0x0c, b'CAF\xc3\xa9')]]))
emit('canon-multi', name([[(CN, 0x0c, b'a'), (O, 0x0c, b'b')]]), name([[(O, 0x0c, b'b'), (CN, 0x0c, b'a')]]))
print(n)
