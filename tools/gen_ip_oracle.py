#!/usr/bin/python3
"""Writes tests/common/ip_oracle_cases.inc: Python's own answers for sluice::common::parse_ip/is_global.

The oracle is Debian 12's /usr/bin/python3 (3.11.2, patched for CVE-2024-4032), not whatever `python3` is on
PATH: the patch changed the special-purpose lists, so an unpatched interpreter answers differently (the pyenv
3.11.7 here calls 2001:4:112::1 non-global and 64:ff9b:1::1 global). Run it from the repository root:

    /usr/bin/python3 tools/gen_ip_oracle.py > tests/common/ip_oracle_cases.inc

The output is deterministic (fixed seed); commit it, so the C++ test needs no Python. Each row is
    {group, text, packed_hex, canonical, valid, is_v6, is_global},
where packed_hex is the 16- or 4-byte address in hex and canonical is str() of the address without its
scope id. Groups:
    boundary  first and last address of every special-purpose block and their neighbours just outside,
              in native form and, for IPv4 blocks, IPv4-mapped;
    parse     hand-picked strings that probe the parser's acceptance rules;
    random    seeded random addresses biased toward the special blocks, written in varied text forms;
    mutant    seeded one-edit mutations of valid addresses, mostly to probe rejection.
"""
import ipaddress
import random
import sys

SEED = 20240607
N_RANDOM = 2000
N_MUTANT = 600

V4_BLOCKS = [
    # _IPv4Constants._private_networks, its exceptions, _public_network and multicast.
    '0.0.0.0/8', '10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
    '192.0.0.170/31', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
    '203.0.113.0/24', '240.0.0.0/4', '255.255.255.255/32', '192.0.0.9/32', '192.0.0.10/32',
    '100.64.0.0/10', '224.0.0.0/4',
    # Registry entries that Python does not treat as special; is_global must say true for them.
    '192.88.99.0/24', '192.31.196.0/24', '192.52.193.0/24', '192.175.48.0/24', '192.0.0.8/32',
    '192.0.0.11/32',
]
V6_BLOCKS = [
    # _IPv6Constants._private_networks and its exceptions.
    '::1/128', '::/128', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32',
    '2002::/16', 'fc00::/7', 'fe80::/10', '2001:1::1/128', '2001:1::2/128', '2001:3::/32',
    '2001:4:112::/48', '2001:20::/28', '2001:30::/28',
    # Blocks with embedded IPv4 addresses or that other libraries treat as special.
    '64:ff9b::/96', '::/96', '::ffff:0:0:0/96', '2001::/32', 'ff00::/8', 'fec0::/10', '3fff::/20',
    '5f00::/16', '2620:4f:8000::/48', '2001:2::/48',
]

PARSE_CASES = [
    # IPv4
    '1.2.3.4', '0.0.0.0', '255.255.255.255', '01.2.3.4', '1.02.3.4', '1.2.3.00', '0.0.0.00', '999.1.2.3',
    '256.1.2.3', '1.2.3.256', '1.2.3', '1.2.3.4.5', '1.2.3.', '.1.2.3', '1..2.3', '', ' ', ' 1.2.3.4',
    '1.2.3.4 ', '1.2.3.4\n', '\t1.2.3.4', '1.2.3.4/32', '1.2.3.4/', '+1.2.3.4', '1.2.3.-4', '1.2.3.4a',
    '0x1.2.3.4', '1.2.3.0004', '1234.1.2.3', '1.2.3.4%eth0', '16909060', '1.2.3.4\x00', '\uff11.2.3.4',
    '\u0661.2.3.4', '1.2.3.4.', '1,2,3,4',
    # IPv6: zero compression and its limits
    '::', ':::', '::::', ':', '::0', '0::', '1::', '::1', '1::2', '1::2::3', '::1::', ':1::2', '1::2:',
    ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8', '1::3:4:5:6:7:8', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::8', '0:0:0:0:0:0:0:0', '0000:0000:0000:0000:0000:0000:0000:0000',
    # IPv6: hextets
    '12345::', '::12345', '1:2:3:4:5:6:7:00000', 'abcd::ef01', 'ABCD::EF01', 'aBcD::eF01', 'g::1',
    '::ffff:fffff', '0x1::', '1_0::', ' ::1', '::1 ', '::1\n', '::+1', '::-1', '\uff11::',
    # IPv6: embedded IPv4 tail
    '::ffff:1.2.3.4', '::1.2.3.4', '::ffff:01.2.3.4', '::ffff:1.2.3', '::ffff:1.2.3.4.5',
    '::ffff:256.1.2.3', '1.2.3.4::', '::1.2.3.4:1', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5::1.2.3.4', '::1:2:3:4:5:6:1.2.3.4', '::1:2:3:4:5:1.2.3.4', '1:2:3:4:5:6::1.2.3.4',
    ':1.2.3.4', 'a:1.2.3.4', '::1.2.3.4%eth0', '64:ff9b::192.0.2.33', '::ffff:0:1.2.3.4',
    '::FFFF:1.2.3.4', '::ffff:1.2.3.4/96', '::ffff:1.2.3.4 ',
    # IPv6: scope ids
    'fe80::1%eth0', 'fe80::1%1', 'fe80::1%', 'fe80::1%%', 'fe80::1%a%b', 'fe80::1%eth0/64', '%eth0', '%',
    'fe80::1%eth 0', 'fe80::1% ', 'fe80::1%\u00fc', 'fe80::1%\x00', 'fe80::1%:', 'fe80::1%.', '1.2.3.4%',
    'fe80::1%25eth0', '::%x', '2001:db8::1%0',
    # Too many groups, hex too long
    '1:2:3:4:5:6:7:8:9:10', '1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17', '::::::::::', ':::::::::::',
    '1:2:3:4:5:6:7:8:1.2.3.4', '00000::', '::00001', 'fffff::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'fffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
]


def cxx_string(text):
    """A C++ string_view literal of the UTF-8 bytes; octal escapes cannot run into the next character."""
    out = []
    for byte in text.encode('utf-8'):
        ch = chr(byte)
        if 0x20 <= byte < 0x7f and ch not in '"\\?':
            out.append(ch)
        else:
            out.append('\\%03o' % byte)
    return '"%s"sv' % ''.join(out)


def row(group, text):
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return '{"%s", %s, "", "", false, false, false},' % (group, cxx_string(text))
    bare = type(addr)(int(addr))  # drops the scope id
    return '{"%s", %s, "%s", "%s", true, %s, %s},' % (
        group, cxx_string(text), addr.packed.hex(), bare, 'true' if addr.version == 6 else 'false',
        'true' if addr.is_global else 'false')


def boundary_texts():
    for spec in V4_BLOCKS + V6_BLOCKS:
        net = ipaddress.ip_network(spec)
        cls = type(net.network_address)
        first, last = int(net.network_address), int(net.broadcast_address)
        for value in (first - 1, first, last, last + 1):
            if 0 <= value < 2 ** net.max_prefixlen:
                yield str(cls(value))
                if net.version == 4:
                    yield '::ffff:' + str(cls(value))


def random_address(rng):
    roll = rng.random()
    if roll < 0.15:
        return ipaddress.IPv4Address(rng.getrandbits(32))
    if roll < 0.25:
        return ipaddress.IPv6Address(rng.getrandbits(128))
    spec = rng.choice(V4_BLOCKS + V6_BLOCKS)
    net = ipaddress.ip_network(spec)
    cls = type(net.network_address)
    first, last = int(net.network_address), int(net.broadcast_address)
    where = rng.random()
    if where < 0.5:
        value = rng.randint(first, last)
    elif where < 0.75:
        value = first + rng.randint(-3, 3)
    else:
        value = last + rng.randint(-3, 3)
    value %= 2 ** net.max_prefixlen
    addr = cls(value)
    if net.version == 4 and rng.random() < 0.25:
        addr = ipaddress.IPv6Address((0xffff << 32) | value)
    return addr


def text_form(rng, addr):
    """One of the spellings Python accepts for addr, so the parser sees more than str()."""
    if addr.version == 4:
        return str(addr)
    groups = addr.exploded.split(':')
    form = rng.random()
    if form < 0.3:
        text = str(addr)
    elif form < 0.45:
        text = addr.exploded
    elif form < 0.6:
        text = ':'.join('%x' % int(g, 16) for g in groups)  # uncompressed, no leading zeros
    elif form < 0.7:
        text = str(addr).upper()
    elif form < 0.85:
        # Compress with the last two groups pinned to 1, so they print as ':1:1', then swap in the quad.
        tail = ipaddress.IPv4Address(int(addr) & 0xffffffff)
        head = str(ipaddress.IPv6Address((int(addr) & ~0xffffffff) | 0x10001))
        text = head[:-3] + str(tail)
    else:
        # Leading zeros on random groups, a form str() never produces.
        text = ':'.join(g if rng.random() < 0.5 else '%x' % int(g, 16) for g in groups)
    if rng.random() < 0.1:
        text += '%' + rng.choice(['eth0', '1', 'en0', 'x'])
    return text


def mutate(rng, text):
    alphabet = ':.%0123456789abcdefgABCDEFG/ x\x00'
    i = rng.randrange(len(text) + 1)
    op = rng.random()
    if op < 0.3 and i < len(text):
        return text[:i] + text[i + 1:]
    if op < 0.6:
        return text[:i] + rng.choice(alphabet) + text[i:]
    if op < 0.8 and i < len(text):
        return text[:i] + rng.choice(alphabet) + text[i + 1:]
    return text[:i] + text[i:i + 2] + text[i:]  # duplicate a pair, e.g. '::' -> '::::'


def main():
    rng = random.Random(SEED)
    lines = [
        '// Generated by tools/gen_ip_oracle.py with Debian 12\'s /usr/bin/python3 (%s); do not edit.'
        % sys.version.split()[0],
        '// {group, text, packed_hex, canonical, valid, is_v6, is_global}',
    ]
    seen = set()

    def emit(group, text):
        if text not in seen:
            seen.add(text)
            lines.append(row(group, text))

    for text in boundary_texts():
        emit('boundary', text)
    for text in PARSE_CASES:
        emit('parse', text)
    randoms = []
    while len(randoms) < N_RANDOM:
        text = text_form(rng, random_address(rng))
        if text not in seen:
            randoms.append(text)
            emit('random', text)
    for _ in range(N_MUTANT):
        emit('mutant', mutate(rng, rng.choice(randoms)))
    sys.stdout.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    if sys.executable != '/usr/bin/python3' or sys.version_info[:3] != (3, 11, 2):
        sys.exit('run with /usr/bin/python3 (Debian 3.11.2), the oracle; this is %s %s'
                 % (sys.executable, sys.version.split()[0]))
    main()
