#!/usr/bin/env python3
"""completions.py EKU_BIN OUTDIR: bash, zsh and fish completions for eku,
generated at build time from 'eku --help' and 'eku CMD --help'.

Generating them from the help texts keeps them from drifting: a new command
or option is completed as soon as its --help lists it. What the help texts
do not say is below: value lists written in prose instead of "a|b|c"
(VALUES), and what a command's positional arguments are (POSITIONAL).
"""
import json
import os
import re
import subprocess
import sys

# Option values the help text gives in prose; "a|b|c" in a description is
# found without an entry here.
VALUES = {
    ('ca issue', '--profile'): ['client', 'server', 'dual', 'expressway-client'],
    ('ca revoke', '--reason'): ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded',
                                'cessationOfOperation', 'privilegeWithdrawn'],
    '--key-type': ['p256', 'p384', 'rsa3072'],
    '--eku': ['client', 'server', 'client,server'],
    '--role': ['client', 'server'],
    '--policy': ['enforce', 'ignore-client-eku', 'permissive', 'off'],
    '--profile': ['openssl', 'strict'],
    '--starttls': ['smtp', 'imap', 'pop3', 'ftp', 'ldap', 'xmpp-client', 'xmpp-server', 'postgres',
                   'sip', 'https', 'tls'],
}
# Metavariables naming files or folders; SRC (verify --trust) is a file or a word.
FILE_META = {'FILE', 'SRC', 'CONFIG', 'BYTES_FILE'}
DIR_META = {'DIR'}
WORDS_WITH_FILES = {('verify', '--trust'): ['system', 'chrome']}
# What follows the options: files (the default), a folder, nothing (host
# names, serials), or data's own words. Keys are commands or "command sub".
POSITIONAL = {'scan': 'none', 'data': 'data', 'ca init': 'dir', 'ca issue': 'none', 'ca renew': 'none',
              'ca revoke': 'none', 'ca crl': 'none', 'ca list': 'none', 'ca check': 'none'}


def run(eku, *args):
    return subprocess.run([eku] + list(args), capture_output=True, text=True, check=True).stdout


def parse_help(text):
    """[(long, short, meta, description)] from the option lines of a help text."""
    opts = []
    cur = None
    seen = set()
    for line in text.splitlines():
        if re.match(r'^examples?:', line):
            break
        # Option lines are indented by two; deeper lines continue a description.
        m = re.match(r'^ {2,4}(?:(-[A-Za-z]), )?(--[A-Za-z][\w-]*)(?: ([^ ]+(?: [^ ]+)*?))?(?:\s{2,}(.*)|$)', line)
        if m:
            # An argument is written in capitals: FILE, [VENDOR=]FILE, HOST:PORT:ADDR.
            meta = m.group(3) if m.group(3) and re.match(r'^\[?[A-Z]', m.group(3)) else None
            cur = [m.group(2), m.group(1), meta, m.group(4) or '']
            if m.group(2) not in seen:
                seen.add(m.group(2))
                opts.append(cur)
        elif cur is not None and re.match(r'^\s{6,}\S', line):
            cur[3] += ' ' + line.strip()
        else:
            cur = None
    return opts


def option_kind(cmd, long, meta, desc):
    """(kind, words): kind 'none' (a flag), 'file', 'dir', 'words' or 'any'."""
    if meta is None:
        return 'none', []
    if (cmd, long) in VALUES:
        return 'words', VALUES[(cmd, long)]
    if long in VALUES:
        return 'words', VALUES[long]
    if (cmd, long) in WORDS_WITH_FILES:
        return 'file', WORDS_WITH_FILES[(cmd, long)]
    m = re.search(r'\b([a-z][\w-]*(?:\|[a-z][\w-]*)+)\b', desc)
    if m:
        return 'words', m.group(1).split('|')
    base = meta.strip('[]').split('=')[-1].strip('[]')
    if base in FILE_META or base.endswith('FILE'):
        return 'file', []
    if base in DIR_META:
        return 'dir', []
    return 'any', []


def entry(eku, key, desc):
    """One completable command line prefix ("inspect", "ca issue"): its options
    from '--help', its subcommands when the help has a "subcommands:" list."""
    text = run(eku, *key.split(), '--help')
    opts = []
    for long, short, meta, d in parse_help(text):
        kind, words = option_kind(key, long, meta, d)
        opts.append({'long': long, 'short': short, 'kind': kind, 'words': words,
                     'desc': re.sub(r'\s+', ' ', d).strip()})
    subs = []
    if '\nsubcommands:\n' in text:
        block = text.split('\nsubcommands:\n', 1)[1].split('\n\n', 1)[0]
        for name, rest in re.findall(r'^  ([a-z][a-z-]*)\b([^\n]*)$', block, re.M):
            # "  revoke SERIAL --reason R   revoke a certificate": the text after the last wide gap
            sdesc = re.split(r' {2,}', rest.strip())[-1]
            subs.append(entry(eku, key + ' ' + name, sdesc))
    return {'name': key.split()[-1], 'key': key, 'desc': desc.strip(), 'opts': opts, 'subs': subs,
            'pos': POSITIONAL.get(key, 'file')}


def model(eku):
    top = run(eku, '--help')
    cmds = [entry(eku, name, desc) for name, desc in
            re.findall(r'^  ([a-z][a-z-]*)\s{2,}(.*)$', top.split('commands:', 1)[1], re.M)]
    data_names = [f['name'] for f in json.loads(run(eku, 'data', 'list', '--format', 'json'))['files']]
    return cmds, data_names


def flat(cmds):
    """Every entry, subcommands after their command."""
    for c in cmds:
        yield c
        yield from flat(c['subs'])


def sq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def opt_words(e):
    return ' '.join(sorted({o['long'] for o in e['opts']} | {o['short'] for o in e['opts'] if o['short']}))


def bash(cmds, data_names):
    entries = list(flat(cmds))
    with_subs = ' '.join(e['key'] for e in entries if e['subs'])
    out = ['# bash completion for eku -*- shell-script -*-',
           '# Generated by tools/completions.py from the --help texts; do not edit.', '',
           '_eku()', '{',
           '\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= key= i w words=',
           '\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}',
           '\tCOMPREPLY=()',
           '\t# key: the command, and its subcommand for those that have them ("ca issue").',
           '\tfor ((i = 1; i < COMP_CWORD; i++)); do',
           '\t\tw=${COMP_WORDS[i]}',
           '\t\tcase $w in -*) continue ;; esac',
           '\t\tif [[ -z $key ]]; then',
           '\t\t\tkey=$w',
           '\t\t\tcase " %s " in *" $key "*) ;; *) break ;; esac' % with_subs,
           '\t\telse',
           '\t\t\tkey="$key $w"',
           '\t\t\tbreak',
           '\t\tfi',
           '\tdone',
           '\tif [[ -z $key ]]; then',
           '\t\tif [[ $cur == -* ]]; then',
           "\t\t\tCOMPREPLY=($(compgen -W '--help --version -V' -- \"$cur\"))",
           '\t\telse',
           '\t\t\tCOMPREPLY=($(compgen -W %s -- "$cur"))' % sq(' '.join([c['name'] for c in cmds] + ['help', 'version'])),
           '\t\tfi',
           '\t\treturn',
           '\tfi',
           '\tcase $key in']
    for e in entries:
        if e['subs']:
            out.append('\t%s) [[ $cur == -* ]] || { COMPREPLY=($(compgen -W %s -- "$cur")); return; } ;;'
                       % (sq(e['key']), sq(' '.join(x['name'] for x in e['subs']))))
    out += ['\tesac',
            '\t# --opt=value: complete the value.',
            '\tif [[ $cur == --*=* ]]; then',
            '\t\tprev=${cur%%=*}',
            '\t\tcur=${cur#*=}',
            '\telif [[ $prev != -* ]]; then',
            '\t\tprev=',
            '\tfi',
            '\tcase "$key $prev" in']
    for e in entries:
        for o in e['opts']:
            if o['kind'] == 'none':
                continue
            pats = ['"%s %s"' % (e['key'], o['long'])]
            if o['short']:
                pats.append('"%s %s"' % (e['key'], o['short']))
            act = {'words': 'COMPREPLY=($(compgen -W %s -- "$cur"))' % sq(' '.join(o['words'])),
                   'file': '_eku_files "$cur" %s' % sq(' '.join(o['words'])),
                   'dir': '_eku_dirs "$cur"',
                   'any': ':'}[o['kind']]
            out.append('\t%s) %s; return ;;' % ('|'.join(pats), act))
    out += ['\tesac',
            '\tif [[ $cur == -* ]]; then',
            '\t\tcase $key in']
    for e in entries:
        out.append('\t\t%s) words=%s ;;' % (sq(e['key']), sq(opt_words(e))))
    out += ['\t\tesac',
            '\t\tCOMPREPLY=($(compgen -W "$words" -- "$cur"))',
            '\t\treturn',
            '\tfi',
            '\tcase $key in',
            '\t\thelp) COMPREPLY=($(compgen -W %s -- "$cur")) ;;' % sq(' '.join(c['name'] for c in cmds))]
    for e in entries:
        if e['subs']:
            continue
        if e['pos'] == 'none':
            out.append('\t\t%s) ;;' % sq(e['key']))
        elif e['pos'] == 'dir':
            out.append('\t\t%s) _eku_dirs "$cur" ;;' % sq(e['key']))
        elif e['pos'] == 'data':
            out += ['\t\tdata)',
                    '\t\t\tcase ${COMP_WORDS[COMP_CWORD-1]} in',
                    '\t\t\t\tshow) COMPREPLY=($(compgen -W %s -- "$cur")) ;;' % sq(' '.join(data_names)),
                    '\t\t\t\texport) _eku_dirs "$cur" ;;',
                    "\t\t\t\t*) COMPREPLY=($(compgen -W 'list show export' -- \"$cur\")) ;;",
                    '\t\t\tesac ;;']
    out += ['\t\t*) _eku_files "$cur" ;;',
            '\tesac',
            '}', '',
            '# Files (and extra words); "compopt -o filenames" only works under readline.',
            '_eku_files()', '{',
            '\tcompopt -o filenames 2>/dev/null',
            '\tCOMPREPLY=($(compgen -W "${2:-}" -- "$1"))',
            "\tlocal IFS=$'\\n'",
            '\tCOMPREPLY+=($(compgen -f -- "$1"))',
            '}', '',
            '_eku_dirs()', '{',
            "\tlocal IFS=$'\\n'",
            '\tcompopt -o filenames 2>/dev/null',
            '\tCOMPREPLY=($(compgen -d -- "$1"))',
            '}', '',
            'complete -F _eku eku', '']
    return '\n'.join(out)


def zesc(s):
    return s.replace('\\', '\\\\').replace("'", "'\\''").replace('[', '\\[').replace(']', '\\]').replace(':', '\\:')


def zsh_specs(e, data_names):
    specs = []
    for o in e['opts']:
        act = {'none': '', 'any': ':value: ',
               'words': ':value:(%s)' % ' '.join(o['words']),
               'file': ':file:_files' if not o['words'] else
                       ':source:{_alternative "files:file:_files" "words:word:(%s)"}' % ' '.join(o['words']),
               'dir': ':directory:_files -/'}[o['kind']]
        d = zesc(o['desc'][:70])
        if 'repeatable' in o['desc']:
            names = [o['long']] + ([o['short']] if o['short'] else [])
            specs += ["'*%s%s[%s]%s'" % (n, '=' if act and n.startswith('--') else '', d, act) for n in names]
        elif o['short']:
            specs.append("'(%s %s)'{%s,%s}'[%s]%s'" % (o['short'], o['long'], o['short'], o['long'], d, act))
        else:
            specs.append("'%s%s[%s]%s'" % (o['long'], '=' if act else '', d, act))
    if e['pos'] == 'file':
        specs.append("'*:file:_files'")
    elif e['pos'] == 'dir':
        specs.append("'1:directory:_files -/'")
    elif e['pos'] == 'data':
        specs.append("'1:action:(list show export)'")
        specs.append("'2:name:(%s)'" % ' '.join(data_names))
    else:
        specs.append("'*:argument: '")
    return specs


def zsh(cmds, data_names):
    out = ['#compdef eku',
           '# zsh completion for eku. Generated by tools/completions.py from the --help texts; do not edit.',
           '', '_eku() {', '\tlocal curcontext=$curcontext state line ret=1', '\tlocal -a commands subs',
           '\tcommands=(']
    for c in cmds:
        out.append("\t\t'%s:%s'" % (c['name'], zesc(c['desc'])))
    out += ["\t\t'help:show the help of a command'", "\t\t'version:print the versions'", '\t)',
            "\t_arguments -C '(- *)'{-V,--version}'[print the versions]' '(- *)'{-h,--help}'[show the help]' \\",
            "\t\t'1:command:->command' '*::argument:->argument' && ret=0",
            '\tcase $state in',
            "\t\tcommand) _describe -t commands 'eku command' commands && ret=0 ;;",
            '\t\targument)', '\t\t\tcase $words[1] in',
            "\t\t\t\thelp) _describe -t commands 'eku command' commands && ret=0 ;;"]
    for c in cmds:
        if c['subs']:
            out.append('\t\t\t\t%s)' % c['name'])
            out.append('\t\t\t\t\tif (( CURRENT == 2 )); then')
            out.append('\t\t\t\t\t\tsubs=(%s)' % ' '.join("'%s:%s'" % (x['name'], zesc(x['desc'])) for x in c['subs']))
            out.append("\t\t\t\t\t\t_describe -t subcommands 'eku %s subcommand' subs && ret=0" % c['name'])
            out.append('\t\t\t\t\telse')
            out.append('\t\t\t\t\t\tshift words; (( CURRENT-- ))')
            out.append('\t\t\t\t\t\tcase $words[1] in')
            for x in c['subs']:
                specs = zsh_specs(x, data_names)
                out.append('\t\t\t\t\t\t\t%s) _arguments -s -S %s && ret=0 ;;' % (x['name'], ' '.join(specs)))
            out.append('\t\t\t\t\t\tesac')
            out.append('\t\t\t\t\tfi ;;')
            continue
        specs = zsh_specs(c, data_names)
        out.append('\t\t\t\t%s) _arguments -s -S \\' % c['name'])
        out += ['\t\t\t\t\t%s \\' % x for x in specs[:-1]]
        out.append('\t\t\t\t\t%s && ret=0 ;;' % specs[-1])
    out += ['\t\t\tesac ;;', '\tesac', '\treturn ret', '}', '', '_eku "$@"', '']
    return '\n'.join(out)


def fish(cmds, data_names):
    names = ' '.join(c['name'] for c in cmds)
    out = ['# fish completion for eku. Generated by tools/completions.py from the --help texts; do not edit.',
           'complete -c eku -f',
           "complete -c eku -n '__fish_use_subcommand' -s V -l version -d 'print the versions'",
           "complete -c eku -n '__fish_use_subcommand' -s h -l help -d 'show the help'",
           "complete -c eku -n '__fish_use_subcommand' -a help -d 'show the help of a command'",
           "complete -c eku -n '__fish_seen_subcommand_from help' -a %s" % sq(names)]
    for c in cmds:
        out.append("complete -c eku -n '__fish_use_subcommand' -a %s -d %s" % (c['name'], sq(c['desc'])))
    for e in flat(cmds):
        words = e['key'].split()
        cond = '__fish_seen_subcommand_from %s' % words[0]
        if len(words) > 1:
            cond += '; and __fish_seen_subcommand_from %s' % words[1]
        if e['subs']:
            subnames = ' '.join(x['name'] for x in e['subs'])
            for x in e['subs']:
                out.append('complete -c eku -n %s -a %s -d %s' % (
                    sq('%s; and not __fish_seen_subcommand_from %s' % (cond, subnames)), x['name'], sq(x['desc'])))
            continue
        if e['pos'] == 'file':
            out.append('complete -c eku -n %s -F' % sq(cond))
        elif e['pos'] == 'dir':
            out.append("complete -c eku -n %s -x -a '(__fish_complete_directories)'" % sq(cond))
        elif e['pos'] == 'data':
            out.append("complete -c eku -n \"__fish_seen_subcommand_from data; and not __fish_seen_subcommand_from list show export\" -a 'list show export'")
            out.append("complete -c eku -n '__fish_seen_subcommand_from show' -a %s" % sq(' '.join(data_names)))
        for o in e['opts']:
            parts = ['complete -c eku -n', sq(cond)]
            if o['short']:
                parts += ['-s', o['short'][1:]]
            parts += ['-l', o['long'][2:]]
            if o['kind'] == 'words':
                parts += ['-x', '-a', sq(' '.join(o['words']))]
            elif o['kind'] == 'file':
                parts += ['-r', '-F'] + (['-a', sq(' '.join(o['words']))] if o['words'] else [])
            elif o['kind'] == 'dir':
                parts += ['-x', '-a', "'(__fish_complete_directories)'"]
            elif o['kind'] == 'any':
                parts += ['-x']
            parts += ['-d', sq(o['desc'][:60])]
            out.append(' '.join(parts))
    return '\n'.join(out) + '\n'


def main():
    eku, outdir = sys.argv[1], sys.argv[2]
    cmds, data_names = model(eku)
    for name, text in [('eku.bash', bash(cmds, data_names)), ('_eku', zsh(cmds, data_names)),
                       ('eku.fish', fish(cmds, data_names))]:
        with open(os.path.join(outdir, name), 'w', encoding='utf-8') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
