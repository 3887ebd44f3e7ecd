# Writes one certificate per extension edge case (not re-signed: the facts never
# check signatures) for tests/unit/test_der_facts.c. Usage:
#   python3 gen_exts.py base.der exts/   (base: rsa0.pem as DER)
import sys, os
sys.argv, args = sys.argv[:1], sys.argv[1:]
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'gen_names.py')).read().split("CN = bytes")[0])
src = open(args[0], 'rb').read(); outdir = args[1]
cert = parse(src)[0]; tbs = cert[1][0]
def T(tag, body): return bytes([tag]) + enc_len(len(body)) + body
def oid(s):
    a = [int(x) for x in s.split('.')]; out = bytes([40*a[0]+a[1]])
    for v in a[2:]:
        enc = [v & 0x7f]; v >>= 7
        while v: enc.append(0x80 | (v & 0x7f)); v >>= 7
        out += bytes(reversed(enc))
    return T(6, out)
def ext(o, val, crit=None):
    c = b'' if crit is None else T(1, bytes([crit]))
    return T(0x30, oid(o) + c + T(4, val))
def seq(*xs): return T(0x30, b''.join(xs))
BC='2.5.29.19'; KU='2.5.29.15'; EKU='2.5.29.37'; NS='2.16.840.1.113730.1.1'; SKI='2.5.29.14'; AKI='2.5.29.35'
SAN='2.5.29.17'; CDP='2.5.29.31'; AIA='1.3.6.1.5.5.7.1.1'; POL='2.5.29.32'; SCT='1.3.6.1.4.1.11129.2.4.2'; NC='2.5.29.30'
SA='1.3.6.1.5.5.7.3.1'; CA_='1.3.6.1.5.5.7.3.2'; ANY='2.5.29.37.0'; SGC='1.3.6.1.4.1.311.10.3.3'; CODE='1.3.6.1.5.5.7.3.3'
def emit(label, exts, version=2):
    t = list(tbs[1])
    if t[0][0] == 0xa0: t = t[1:]
    t = [x for x in t if x[0] != 0xa3]
    if version is not None: t = [[0xa0, [[0x02, bytes([version])]]]] + t
    if exts is not None: t.append([0xa3, T(0x30, b''.join(exts))[0:0] or [[0x30, parse(b''.join(exts))]]])
    c = [0x30, [[0x30, t], cert[1][1], cert[1][2]]]
    open(os.path.join(outdir, label + '.der'), 'wb').write(ser(c))
ski = T(4, b'\x11' * 20)
cases = {
 'bc-empty': [ext(BC, seq())], 'bc-ca': [ext(BC, seq(T(1, b'\xff')), 0xff)], 'bc-ca-false': [ext(BC, seq(T(1, b'\x00')))],
 'bc-pl0': [ext(BC, seq(T(1, b'\xff'), T(2, b'\x00')))], 'bc-plneg': [ext(BC, seq(T(1, b'\xff'), T(2, b'\xff')))],
 'bc-plbig': [ext(BC, seq(T(1, b'\xff'), T(2, b'\x01\x00\x00\x00\x00')))], 'bc-pl-noca': [ext(BC, seq(T(2, b'\x03')))],
 'bc-bad': [ext(BC, T(2, b'\x01'))], 'bc-trailing': [ext(BC, seq() + b'\x00\x00')],
 'ku-ds': [ext(KU, T(3, b'\x07\x80'))], 'ku-ke': [ext(KU, T(3, b'\x05\xa0'))], 'ku-empty': [ext(KU, T(3, b'\x00'))],
 'ku-zero': [ext(KU, T(3, b'\x00\x00'))], 'ku-dec': [ext(KU, T(3, b'\x07\x00\x80'))], 'ku-unused8': [ext(KU, T(3, b'\x08\x80'))],
 'ku-certsign': [ext(KU, T(3, b'\x01\x06'))], 'ku-pad': [ext(KU, T(3, b'\x07\x81'))], 'ku-3bytes': [ext(KU, T(3, b'\x00\x00\x00\x01'))],
 'eku-empty': [ext(EKU, seq())], 'eku-server': [ext(EKU, seq(oid(SA)))], 'eku-client': [ext(EKU, seq(oid(CA_)))],
 'eku-both': [ext(EKU, seq(oid(SA), oid(CA_)))], 'eku-any': [ext(EKU, seq(oid(ANY)))], 'eku-sgc': [ext(EKU, seq(oid(SGC)))],
 'eku-code': [ext(EKU, seq(oid(CODE), oid('1.2.3.4.5')))], 'eku-longoid': [ext(EKU, seq(oid('1.2.' + '.'.join(['123456789'] * 14))))],
 'eku-server-ku-cs': [ext(EKU, seq(oid(SA))), ext(KU, T(3, b'\x01\x06'))],
 'ns-server': [ext(NS, T(3, b'\x06\x40'))], 'ns-client': [ext(NS, T(3, b'\x07\x80'))], 'ns-empty': [ext(NS, T(3, b'\x00'))],
 'ns-ca': [ext(NS, T(3, b'\x01\x06'))],
 'ski-aki-match': [ext(SKI, ski), ext(AKI, seq(T(0x80, b'\x11' * 20)))],
 'ski-aki-mismatch': [ext(SKI, ski), ext(AKI, seq(T(0x80, b'\x12' * 20)))],
 'aki-serial-match': [ext(AKI, seq(T(0x82, b'\x00')))], 'aki-serial-mismatch': [ext(AKI, seq(T(0x82, b'\x05')))],
 'aki-empty': [ext(AKI, seq())], 'ski-empty': [ext(SKI, T(4, b''))],
 'san-mix': [ext(SAN, seq(T(0x82, b'a.example'), T(0x87, b'\x7f\x00\x00\x01'), T(0x87, b'\x20\x01' + b'\x00' * 13 + b'\x01'),
     T(0x87, b'\x01\x02\x03'), T(0x81, b'a@b'), T(0x86, b'http://x/'), T(0x82, b'nul\x00dns\x01\xff')))],
 'san-empty': [ext(SAN, seq())], 'san-other-utf8': [ext(SAN, seq(T(0xa0, oid('1.2.3') + T(0xa0, T(0x0c, b'x')))))],
 'san-other-ia5': [ext(SAN, seq(T(0xa0, oid('1.2.3') + T(0xa0, T(0x16, b'x')))))],
 'san-rid': [ext(SAN, seq(T(0x88, b'\x2a\x03')))], 'san-dir': [ext(SAN, seq(T(0xa4, seq(T(0x31, seq(oid('2.5.4.3'), T(0x13, b'x')))))))],
 'san-crit': [ext(SAN, seq(T(0x82, b'x')), 0xff)],
 'cdp-uri': [ext(CDP, seq(seq(T(0xa0, T(0xa0, T(0x86, b'http://crl/'))))))], 'cdp-emptydp': [ext(CDP, seq(seq()))],
 'cdp-reasons': [ext(CDP, seq(seq(T(0xa0, T(0xa0, T(0x86, b'http://crl/'))), T(0x81, b'\x07\x80'))))],
 'cdp-dns': [ext(CDP, seq(seq(T(0xa0, T(0xa0, T(0x82, b'crl'))))))],
 'aia': [ext(AIA, seq(seq(oid('1.3.6.1.5.5.7.48.1'), T(0x86, b'http://ocsp/')), seq(oid('1.3.6.1.5.5.7.48.2'), T(0x86, b'http://ca/')),
     seq(oid('1.2.3'), T(0x86, b'http://other/'))))],
 'aia-dns': [ext(AIA, seq(seq(oid('1.3.6.1.5.5.7.48.1'), T(0x82, b'ocsp'))))],
 'pol-cps': [ext(POL, seq(seq(oid('2.23.140.1.2.1'), seq(seq(oid('1.3.6.1.5.5.7.2.1'), T(0x16, b'http://cps/')))), seq(oid('2.5.29.32.0'))))],
 'pol-unotice': [ext(POL, seq(seq(oid('1.2.3.4'), seq(seq(oid('1.3.6.1.5.5.7.2.2'), seq(seq(T(0x0c, b'org'), seq(T(2, b'\x01'))), T(0x1e, b'\x00a')))))))],
 'pol-unotice-oddbmp': [ext(POL, seq(seq(oid('1.2.3.4'), seq(seq(oid('1.3.6.1.5.5.7.2.2'), seq(T(0x1e, b'\x00a\x00')))))))],
 'pol-cps-utf8': [ext(POL, seq(seq(oid('1.2.3.4'), seq(seq(oid('1.3.6.1.5.5.7.2.1'), T(0x0c, b'x'))))))],
 'pol-empty': [ext(POL, seq())],
 'nc': [ext(NC, seq(T(0xa0, seq(T(0x82, b'.example')) + seq(T(0x87, b'\x0a\x00\x00\x00\xff\x00\x00\x00'))), T(0xa1, seq(T(0x82, b'bad')))))],
 'dup-ku': [ext(KU, T(3, b'\x07\x80')), ext(KU, T(3, b'\x07\x80'))], 'dup-unknown': [ext('1.2.3.4', b''), ext('1.2.3.4', b'')],
 'crit-false': [ext(KU, T(3, b'\x07\x80'), 0x00)], 'crit-01': [ext(KU, T(3, b'\x07\x80'), 0x01)],
 'unknown-crit': [ext('1.2.3.4', b'\x05\x00', 0xff)], 'exts-empty': [],
}
def sctlist(*scts):
    body = b''.join(len(s).to_bytes(2, 'big') + s for s in scts)
    return T(4, len(body).to_bytes(2, 'big') + body)
good = b'\x00' + b'\x01' * 32 + b'\x00' * 8 + b'\x00\x00' + b'\x04\x03' + b'\x00\x02ab'
cases['sct-2'] = [ext(SCT, sctlist(good, good))]
cases['sct-v2'] = [ext(SCT, sctlist(b'\x01abc'))]
cases['sct-badsig'] = [ext(SCT, sctlist(good[:-5] + b'\x04\x09\x00\x02ab'))]
cases['sct-trail'] = [ext(SCT, sctlist(good + b'zz'))]
cases['sct-short'] = [ext(SCT, sctlist(good[:40]))]
for k, v in cases.items(): emit('ext-' + k, v)
emit('v1-noext', None, None); emit('v1-exts', [ext(KU, T(3, b'\x07\x80'))], None); emit('v2-noext', None, 1)
emit('v1-explicit', None, 0); emit('v4', None, 3)
print(len(cases))
# Validity edge cases: forms ASN1_TIME_to_tm accepts or refuses.
def emit_time(label, nb, na):
    t = list(tbs[1])
    vi = 4 if t[0][0] == 0xa0 else 3
    t[vi] = [0x30, [list(nb), list(na)]]
    c = [0x30, [[0x30, t], cert[1][1], cert[1][2]]]
    open(os.path.join(outdir, label + '.der'), 'wb').write(ser(c))
U = lambda s: [0x17, s]; G = lambda s: [0x18, s]
times = {
 'utc-ok': (U(b'491231235959Z'), U(b'500101000000Z')), 'gen-ok': (G(b'19700101000000Z'), G(b'99991231235959Z')),
 'utc-noseconds': (U(b'4912312359Z'), U(b'500101000000Z')), 'utc-offset': (U(b'491231235959+0100'), U(b'500101000000Z')),
 'gen-frac': (G(b'20200101000000.5Z'), G(b'20300101000000Z')), 'gen-local': (G(b'20200101000000'), G(b'20300101000000Z')),
 'feb29-leap': (G(b'20240229000000Z'), G(b'20300101000000Z')), 'feb29-noleap': (G(b'20230229000000Z'), G(b'20300101000000Z')),
 'feb29-2000': (G(b'20000229000000Z'), G(b'21000228000000Z')), 'feb29-2100': (G(b'21000229000000Z'), G(b'21000301000000Z')),
 'sec60': (U(b'201231235960Z'), U(b'301231235959Z')), 'hour24': (U(b'201231240000Z'), U(b'301231235959Z')),
 'month13': (U(b'201331000000Z'), U(b'301231235959Z')), 'day00': (U(b'201200000000Z'), U(b'301231235959Z')),
 'gen-1950': (G(b'19500101000000Z'), G(b'20500101000000Z')), 'gen-year0': (G(b'00000101000000Z'), G(b'20500101000000Z')),
 'letters': (U(b'2012a1000000Z'), U(b'301231235959Z')), 'wrong-type': ([0x13, b'201231000000Z'], U(b'301231235959Z')),
}
for k, (nb, na) in times.items(): emit_time('time-' + k, nb, na)
