#!/usr/bin/env python3
"""Man pages render without warnings and cannot drift from the CLI.

usage: man_test.py EKU_BIN MANDIR

- every page in MANDIR renders with `groff -ww -man -Tutf8` and no warning;
- every command listed by `eku --help` has its page eku-CMD.1;
- every option of `eku CMD --help` starts an entry of that page (a line of
  the rendered page beginning with the option), and every --help lists
  --help itself (the common options are really printed).
"""
import os
import re
import subprocess
import sys


def render(path):
    # HY=0: no hyphenation, LL: long lines, so an option is never split.
    res = subprocess.run(['groff', '-ww', '-man', '-Tutf8', '-rHY=0', '-rLL=300n', path],
                         capture_output=True, text=True)
    # groff draws \- as U+2212 and hyphens as U+2010 in UTF-8.
    text = res.stdout.replace('\u2212', '-').replace('\u2010', '-')
    text = re.sub(r'.\x08', '', text)  # overstrike bold/underline
    return res.returncode, res.stderr, text


def help_options(eku, cmd):
    """Options of 'eku CMD --help' and, for a command with a "subcommands:"
    list (eku ca), of every 'eku CMD SUB --help': one page documents them all."""
    out = subprocess.run([eku] + cmd.split() + ['--help'], capture_output=True, text=True,
                         check=True).stdout
    opts = set()
    if '\nsubcommands:\n' in out:
        block = out.split('\nsubcommands:\n', 1)[1].split('\n\n', 1)[0]
        for sub in re.findall(r'^  ([a-z][a-z-]*)\b', block, re.M):
            opts |= help_options(eku, cmd + ' ' + sub)
    for line in out.splitlines():
        if re.match(r'^examples?:', line):
            break
        # Option lines are indented by two; deeper lines continue a description.
        m = re.match(r'^ {2,4}((?:-[A-Za-z], )?--?[A-Za-z][\w-]*)', line)
        if m:
            opts.update(o.strip() for o in m.group(1).split(','))
    return opts


def main():
    eku, mandir = sys.argv[1], sys.argv[2]
    bad = []
    pages = {}
    for name in sorted(os.listdir(mandir)):
        if not re.search(r'\.[1-8]$', name):
            continue
        rc, err, text = render(os.path.join(mandir, name))
        if rc != 0 or err.strip():
            bad.append('%s: groff -ww: %s' % (name, err.strip() or 'exit %d' % rc))
        pages[name] = text
    top = subprocess.run([eku, '--help'], capture_output=True, text=True, check=True).stdout
    cmds = re.findall(r'^  ([a-z][a-z-]*)\s{2,}', top.split('commands:', 1)[1], re.M)
    if len(cmds) < 5:
        bad.append('eku --help: found only %r as commands' % cmds)
    for page, opts in [('eku.1', {'--version', '-V', '--help'})] + \
            [('eku-%s.1' % c, help_options(eku, c)) for c in cmds]:
        if page not in pages:
            bad.append('%s: no man page (add man/%s.scd and list it in man/meson.build)' % (page, page))
            continue
        if '--help' not in opts:
            bad.append('%s: its --help text does not list --help (common options missing?)' % page)
        for o in sorted(opts):
            if not re.search(r'^\s+(?:-[A-Za-z], )?%s\b(?!-)' % re.escape(o), pages[page], re.M):
                bad.append('%s: option %s of --help has no entry in the page' % (page, o))
        if page != 'eku.1' and ('\n       %s\n' % page[4:-2]) not in pages['eku.1']:
            bad.append('eku.1: command %s not in COMMANDS' % page[4:-2])
    for line in bad:
        print(line)
    print('%d pages rendered, %d commands checked' % (len(pages), len(cmds)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
