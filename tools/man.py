#!/usr/bin/env python3
"""man.py IN.scd OUT [SCDOC]: one man page from its scdoc source.

A line "%include NAME.scd" is replaced by that file (from IN's folder), so
the common options and the shared sections are written once; the result goes
through scdoc(1), whose output lands in OUT.
"""
import os
import subprocess
import sys


def expand(path, depth=0):
    if depth > 4:
        raise SystemExit('%s: %%include nested too deep' % path)
    out = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('%include '):
                name = line.split(None, 1)[1].strip()
                out.append(expand(os.path.join(os.path.dirname(path), name), depth + 1))
            else:
                out.append(line)
    return ''.join(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    scdoc = sys.argv[3] if len(sys.argv) > 3 else 'scdoc'
    text = expand(src)
    res = subprocess.run([scdoc], input=text.encode(), capture_output=True)
    if res.returncode != 0:
        sys.stderr.write('%s: %s' % (src, res.stderr.decode()))
        return 1
    with open(dst, 'wb') as f:
        f.write(res.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
