#!/usr/bin/python3
# check-codes.py - the error codes are a vocabulary (lib/errcode.h): every code
# written as a literal to sc_error_set() or as .code = "..." in lib/ and cmd/
# is in it, and man/sc.7 (ERROR CODES) lists exactly it. Codes spelled the old
# way ("oom", "no-memory") are mapped to "nomem" by sc_error_set and listed as
# places to respell. Prints "codes: N passed, N failed" for tests/run.sh.
import glob, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else '.'
hdr = open(root + '/lib/errcode.h').read()
vocab = re.findall(r'^\s*X\("([a-z0-9-]+)",', hdr, re.M)
old = set()   # the old spellings of nomem ("oom", "no-memory") are gone from the sources
passed = failed = 0

def call_args(src, start):
    """The top-level arguments of the call whose '(' ends at start."""
    depth, cur, args, j = 1, '', [], start
    while j < len(src) and depth:
        c = src[j]
        if c == '"':
            k = j + 1
            while src[k] != '"':
                k += 2 if src[k] == '\\' else 1
            cur += src[j:k + 1]
            j = k + 1
            continue
        depth += c in '([{'
        depth -= c in ')]}'
        if c == ',' and depth == 1:
            args.append(cur.strip())
            cur = ''
        elif depth:
            cur += c
        j += 1
    return args + [cur.strip()]

respell = []
for f in sorted(glob.glob(root + '/lib/*.[ch]') + glob.glob(root + '/lib/*.cpp') +
                glob.glob(root + '/cmd/*.c')):
    src = open(f, errors='replace').read()
    name = f[len(root) + 1:]
    found = []
    for m in re.finditer(r'\bsc_error_set\s*\(', src):
        a = call_args(src, m.end())
        if len(a) >= 5 and re.fullmatch(r'"[^"]*"', a[4]):
            found.append((m.start(), a[4][1:-1]))
    # the other setters: sc_yaml_error(y, node, err, CODE, ...), and the
    # problem(g, rec, CODE, ...) of lib/join.c that writes errors[] itself, and
    # sc_input_reject(in, CODE, ...), and the row_error(c, rs, line, CODE, ...)
    # of lib/csv.c
    for fn, at in (('sc_yaml_error', 3), ('problem', 2), ('sc_input_reject', 1),
                   ('row_error', 3)):
        for m in re.finditer(r'\b%s\s*\(' % fn, src):
            a = call_args(src, m.end())
            if len(a) > at and re.fullmatch(r'"[^"]*"', a[at]):
                found.append((m.start(), a[at][1:-1]))
    for m in re.finditer(r'\.code\s*=\s*"([^"]*)"', src):
        found.append((m.start(), m.group(1)))
    for pos, code in found:
        line = src.count('\n', 0, pos) + 1
        if code in vocab:
            passed += 1
        elif code in old:
            passed += 1
            respell.append('%s:%d: %s' % (name, line, code))
        else:
            failed += 1
            print('FAIL codes: %s:%d: "%s" is not in lib/errcode.h' % (name, line, code))

# man/sc.7 lists the vocabulary, in its order
man = open(root + '/man/sc.7').read()
sec = re.search(r'^\.Sh ERROR CODES\n(.*?)(?=^\.Sh )', man, re.M | re.S)
listed = re.findall(r'^\.It Li ([a-z0-9-]+)$', sec.group(1), re.M) if sec else []
if listed == vocab:
    passed += 1
else:
    failed += 1
    print('FAIL codes: man/sc.7 ERROR CODES differs from lib/errcode.h: missing %s, extra %s'
          % (sorted(set(vocab) - set(listed)), sorted(set(listed) - set(vocab))))
if respell and '-v' in sys.argv:
    print('codes spelled the old way (read as nomem):\n  ' + '\n  '.join(respell))
print('codes: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
