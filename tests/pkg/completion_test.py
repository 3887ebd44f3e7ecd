#!/usr/bin/env python3
"""Shell completions complete what eku accepts.

usage: completion_test.py COMPLETIONS_DIR SRCDIR

bash: _eku is called as readline would (COMP_WORDS, COMP_CWORD) and
COMPREPLY is compared; fish: `complete -C` asks the real fish; zsh: the
file must parse (zsh cannot complete without a terminal). A shell that is
not installed is skipped with its name (exit 77 when none runs).
"""
import os
import shutil
import subprocess
import sys

BASH_CASES = [
    # (words, expected subset of COMPREPLY, exact?)
    (['eku', 'ins'], ['inspect'], True),
    (['eku', 'inspect', '--for'], ['--format'], True),
    (['eku', 'inspect', '--format', ''], ['text', 'json', 'jsonl', 'csv'], True),
    (['eku', 'inspect', '--format=js'], ['json', 'jsonl'], True),
    (['eku', 'verify', '--policy', 'ig'], ['ignore-client-eku'], True),
    (['eku', 'verify', '--trust', 'sys'], ['system'], False),
    (['eku', 'plan', '--fail-on', ''], ['broken', 'at_risk', 'never'], True),
    (['eku', 'data', ''], ['list', 'show', 'export'], True),
    (['eku', 'data', 'show', 'time'], ['timeline.json'], True),
    (['eku', 'help', 'ga'], ['gateway'], True),
    (['eku', 'inspect', 'tests/data/leaf-dua'], ['tests/data/leaf-dual.pem', 'tests/data/leaf-dual.der',
                                             'tests/data/leaf-dual-expired.pem'], True),
    (['eku', 'inspect', '--data-dir', 'tests/pl'], ['tests/plan'], True),
    (['eku', 'scan', 'tests/data/leaf-dua'], [], True),  # targets are host names, not files
]
# Commands with subcommands, checked once they are in 'eku --help'.
BASH_CASES_CA = [
    (['eku', 'ca', 'iss'], ['issue'], True),
    (['eku', 'ca', 'issue', '--prof'], ['--profile'], True),
    (['eku', 'ca', 'issue', '--profile', ''], ['client', 'server', 'dual', 'expressway-client'], True),
    (['eku', 'ca', 'revoke', '--reason', 'key'], ['keyCompromise'], True),
]
FISH_CASES = [
    ('eku ins', ['inspect']),
    ('eku inspect --for', ['--format']),
    ('eku inspect --format ', ['text', 'json', 'jsonl', 'csv']),
    ('eku verify --role ', ['client', 'server']),
]


def bash(path, src, bad, cases):
    for words, want, exact in cases:
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _eku; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        res = subprocess.run(['bash', '-c', script, 'bash', path] + words, cwd=src,
                             capture_output=True, text=True)
        got = sorted(x for x in res.stdout.split('\n') if x)
        ok = res.returncode == 0 and (got == sorted(want) if exact else set(want) <= set(got))
        print('bash %-45s -> %s' % (' '.join(words) + '<TAB>', ' '.join(got)))
        if not ok:
            bad.append('bash: %r gave %r (want %r) %s' % (words, got, want, res.stderr.strip()))


def fish(path, bad):
    for line, want in FISH_CASES:
        res = subprocess.run(['fish', '--no-config', '-c', 'source $argv[1]; complete -C"%s"' % line, path],
                             capture_output=True, text=True)
        got = sorted(x.split('\t')[0] for x in res.stdout.split('\n') if x)
        print('fish %-45s -> %s' % (line + '<TAB>', ' '.join(got)))
        if res.returncode != 0 or not set(want) <= set(got):
            bad.append('fish: %r gave %r (want %r) %s' % (line, got, want, res.stderr.strip()))


def main():
    comp, src = sys.argv[1], sys.argv[2]
    bad, ran = [], 0
    cases = BASH_CASES
    with open(os.path.join(comp, 'eku.bash'), encoding='utf-8') as f:
        if "'ca issue'" in f.read():
            cases = cases + BASH_CASES_CA
    if shutil.which('bash'):
        bash(os.path.join(comp, 'eku.bash'), src, bad, cases)
        ran += 1
    else:
        print('SKIP bash: not installed')
    if shutil.which('fish'):
        fish(os.path.join(comp, 'eku.fish'), bad)
        ran += 1
    else:
        print('SKIP fish: not installed (Debian package fish)')
    if shutil.which('zsh'):
        res = subprocess.run(['zsh', '-n', os.path.join(comp, '_eku')], capture_output=True, text=True)
        if res.returncode != 0:
            bad.append('zsh -n _eku: %s' % res.stderr.strip())
        ran += 1
    else:
        print('SKIP zsh: not installed (Debian package zsh)')
    for line in bad:
        print('FAIL', line)
    if ran == 0:
        return 77
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
