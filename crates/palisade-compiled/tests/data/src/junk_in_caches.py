# junk_in_caches.py IN.pyc OUT.pyc: writes JUMP_FORWARD 0 into the first inline cache word
# after every PRECALL, CALL, LOAD_ATTR, LOAD_METHOD and LOAD_GLOBAL of every code object
# of a CPython 3.11 .pyc. CPython never executes cache words, so the module still runs
# as before; a reader that takes them for instructions is misled. (After a reproducer of
# a review of the reader, 2026-12-06.)
import marshal
import opcode
import sys

data = bytearray(open(sys.argv[1], "rb").read())


def walk(code):
    yield code
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield from walk(const)


for code in walk(marshal.loads(bytes(data[16:]))):
    raw = code.co_code
    at = data.find(raw)
    assert at > 0 and data.find(raw, at + 1) < 0, code.co_name
    words = bytearray(raw)
    i = 0
    while i < len(words):
        op = words[i]
        caches = opcode._inline_cache_entries[op]
        if caches and opcode.opname[op] in ("PRECALL", "CALL", "LOAD_ATTR", "LOAD_METHOD", "LOAD_GLOBAL"):
            words[i + 2 : i + 4] = bytes([opcode.opmap["JUMP_FORWARD"], 0])
        i += 2 + 2 * caches
    data[at : at + len(words)] = words
open(sys.argv[2], "wb").write(data)
