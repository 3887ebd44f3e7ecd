#!/usr/bin/env python3
"""The shared libeku exports exactly the functions its public headers declare,
and the installable static libeku.a offers no more than that.

usage: api_exports.py SRCDIR BUILDDIR INTERNAL.a SHARED.so STATIC.a CC

A function declared in include/eku/ without EKU_API is a link error for
every user of the shared library; anything exported that no header declares
is internal code others could come to depend on. Both fail here, by name.
"""
import glob
import os
import re
import subprocess
import sys


def defined_globals(args):
    out = subprocess.run(['nm'] + args, check=True, capture_output=True, text=True).stdout
    return {f[2] for f in (line.split() for line in out.splitlines()) if len(f) == 3 and f[1] in 'TDBRVW'}


def main():
    src, build, internal, shared, static, cc = sys.argv[1:7]
    headers = sorted(glob.glob(os.path.join(src, 'include', 'eku', '*.h')))
    headers.append(os.path.join(build, 'include', 'eku', 'version.h'))
    text = ''.join('#include "%s"\n' % h for h in headers)
    cflags = subprocess.run(['pkg-config', '--cflags', 'jansson', 'openssl'], check=True,
                            capture_output=True, text=True).stdout.split()
    pre = subprocess.run([cc, '-E', '-P', '-I', os.path.join(src, 'include'),
                          '-I', os.path.join(build, 'include')] + cflags + ['-'],
                         input=text, check=True, capture_output=True, text=True).stdout
    mentioned = set(re.findall(r'\b(eku_[A-Za-z0-9_]+)\s*\(', pre))
    declared = defined_globals(['--defined-only', internal]) & mentioned
    exported = defined_globals(['-D', '--defined-only', shared])
    in_static = defined_globals(['--defined-only', static])
    bad = []
    for name in sorted(declared - exported):
        bad.append('%s: declared in include/eku/ but not exported (add EKU_API)' % name)
    for name in sorted(exported - declared):
        bad.append('%s: exported by libeku.so but declared in no public header' % name)
    for name in sorted(in_static - declared):
        bad.append('%s: global in the installable libeku.a but not public' % name)
    for line in bad:
        print(line)
    print('%d public functions, %d exported, %d global in libeku.a' % (len(declared), len(exported),
                                                                     len(in_static)))
    if len(declared) < 100:
        print('suspiciously few public functions: is the header scan broken?')
        return 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
