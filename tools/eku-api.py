#!/usr/bin/env python3
"""eku-api.py HEADER...: marks every function a public header declares with
EKU_API (and includes <eku/api.h>), in place; lines already marked are left
alone, so it can run again after a header gains functions. Static inline
functions, typedefs and function pointers are not marked.

tests/pkg/api_exports.py is the check: it fails when a declared function is
not exported by libeku.so.
"""
import re
import sys


def annotate(text):
    lines = text.split('\n')
    out, depth, in_comment, n = [], 0, False, 0
    for i, line in enumerate(lines):
        s = line.strip()
        if in_comment:
            in_comment = '*/' not in line
            out.append(line)
            continue
        if s.startswith('/*') and '*/' not in s:
            in_comment = True
            out.append(line)
            continue
        if depth == 0 and line and not line[0].isspace() and \
                not s.startswith(('/*', '*', '#', 'typedef', '}', 'EKU_API', 'static', 'extern "C"')):
            stmt = ''
            for nxt in lines[i:]:
                stmt += nxt + '\n'
                if ';' in nxt or '{' in nxt:
                    break
            m = re.search(r'\b(eku_[a-z0-9_]+)\s*\(', stmt)
            if m and '{' not in stmt.split(';')[0] and not re.search(r'\(\s*\*', stmt.split(m.group(1))[0]):
                line = 'EKU_API ' + line
                n += 1
        depth += line.count('{') - line.count('}')
        out.append(line)
    text = '\n'.join(out)
    if re.search(r'^EKU_API ', text, re.M) and '#include <eku/api.h>' not in text:
        text = re.sub(r'(#define EKU_[A-Z0-9_]+_H\n)', r'\1\n#include <eku/api.h>\n', text, count=1)
    return text, n


def main():
    for path in sys.argv[1:]:
        with open(path, encoding='utf-8') as f:
            old = f.read()
        new, n = annotate(old)
        if new != old:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(new)
        print('%s: %d marked' % (path, n))
    return 0


if __name__ == '__main__':
    sys.exit(main())
