#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_heap and fuzz_pool.

The encoding is op_decoder.c's; each seed exercises one scenario (formats,
sizes near the limits, aligned and rewind allocations, realloc chains,
multi-region pools). Deterministic: re-running gives the same bytes.

    fuzz/make_seeds.py [CORPUS_DIR]   (default: fuzz/corpus next to this file)
"""
import os
import random
import sys

ALLOC, ALIGNED, REWIND, REALLOC, AREALLOC, FREE, VALIDATE, USABLE = range(8)
SMALL, BIG, AUTO32 = range(3)


def size(n):
    """Smallest encoding of a size: tiny, medium or large (multiple of 4)."""
    if n < 64:
        return bytes([n])
    if n < 64 + (64 << 8):
        v = n - 64
        return bytes([0x40 | (v >> 8), v & 0xff])
    v = min(n // 4, 0xffff)
    return bytes([0x80, v & 0xff, v >> 8])


def fraction(sixty_fourths, delta=16):
    """A size around heap * k/64, +/- 16 bytes (delta 16 = exact)."""
    return bytes([0xc0 | sixty_fourths, delta])


def align(exp):
    return bytes([exp])


def op(kind, attr=0):
    return bytes([(attr << 3) | kind])


def heap_header(fmt, heap_bytes, misalign=0):
    """Header for a heap of heap_bytes (rounded down to what the encoding
    reaches: 16 + 4 * (((mantissa + 1) << exponent) >> 4), or 4-byte steps
    near 256 KiB)."""
    lo = 256 * 1024 - 512
    if lo <= heap_bytes <= 256 * 1024 + 64:  # the 4-byte-step window
        v = (15 << 12) | ((heap_bytes - lo) // 4)
        return bytes([fmt | (misalign << 2), v & 0xff, v >> 8])
    quarter = (heap_bytes - 16) // 4
    for e in range(9):
        m = max(((quarter << 4) >> e) - 1, 0)
        if m < 4096:
            v = (e << 12) | m
            return bytes([fmt | (misalign << 2), v & 0xff, v >> 8])
    raise ValueError("heap too large for the encoding")


def pool_header(regions):
    out = bytes([len(regions) - 1])
    for attr, sz, mis in regions:
        v = sz - 32
        out += bytes([attr | (mis << 2), v & 0xff, v >> 8])
    return out


def heap_seeds():
    seeds = {}
    seeds["basic-small"] = heap_header(SMALL, 4096) + op(ALLOC) + size(24) + op(ALLOC) + size(100) + \
        op(FREE) + b"\x00" + op(VALIDATE) + op(USABLE) + b"\x00"
    seeds["basic-big"] = heap_header(BIG, 8192, 3) + op(ALLOC) + size(1) + op(ALLOC) + size(2000) + \
        op(REALLOC) + b"\x01" + size(3000) + op(FREE) + b"\x00"
    seeds["auto32-large"] = heap_header(AUTO32, 200000) + op(ALLOC) + size(100000) + \
        op(ALLOC) + size(90000) + op(FREE) + b"\x00" + op(ALLOC) + fraction(63, 0)
    seeds["aligned"] = heap_header(BIG, 16384) + b"".join(
        op(ALIGNED) + align(e) + size(8 + e * 13) for e in range(13)) + op(VALIDATE)
    seeds["rewind"] = heap_header(SMALL, 16384, 4) + b"".join(
        op(REWIND) + align(e) + bytes([r]) + size(40) for e in (3, 5, 6, 8) for r in range(3))
    seeds["realloc-chain"] = heap_header(BIG, 4096) + op(ALLOC) + size(16) + b"".join(
        op(REALLOC) + b"\x00" + size(s) for s in (32, 8, 200, 1000, 3, 0)) + \
        op(REALLOC) + b"\xff" + size(64)
    # regression: a realloc that keeps its chunk but grows the request must
    # tell the sanitizer backend (17 -> 24 bytes stays in one 4-unit big
    # chunk; the pattern written over the new bytes tripped ASan)
    seeds["regress-realloc-same-chunk"] = heap_header(BIG, 4096) + op(ALLOC) + size(17) + \
        op(ALLOC) + size(8) + op(REALLOC) + b"\x00" + size(24) + op(REALLOC) + b"\x00" + size(20) + \
        op(VALIDATE)
    seeds["aligned-realloc"] = heap_header(SMALL, 8192) + op(ALLOC) + size(50) + op(ALLOC) + size(50) + \
        op(AREALLOC) + b"\x00" + align(7) + size(300) + op(AREALLOC) + b"\x01" + align(2) + size(10)
    seeds["near-full"] = heap_header(SMALL, 2048) + op(ALLOC) + fraction(63, 32) + op(ALLOC) + \
        fraction(63, 0) + op(ALLOC) + fraction(32) + op(FREE) + b"\xff"
    # Under the 32-bit rule, more than 0x7fff units of buffer reserve a big
    # end marker although the heap left is small (regression of the first
    # fuzz_heap run: the shadow model cannot describe such a heap).
    seeds["auto32-switch"] = heap_header(AUTO32, 262144, 4) + op(ALLOC) + size(100)
    seeds["auto32-switch-0"] = heap_header(AUTO32, 262148, 0) + op(ALLOC) + size(100)
    seeds["tiny-heap"] = heap_header(BIG, 48) + op(ALLOC) + size(1) + op(ALLOC) + size(1)
    rnd = random.Random(1)
    for n in range(4):
        body = bytearray(heap_header(n % 3, rnd.choice((1024, 6000, 30000, 131072)), n))
        for _ in range(120):
            k = rnd.choice((ALLOC, ALLOC, ALIGNED, REWIND, REALLOC, AREALLOC, FREE, FREE, USABLE))
            body += op(k)
            if k in (REALLOC, AREALLOC, FREE, USABLE):
                body += bytes([rnd.randrange(255)])
            if k in (ALIGNED, AREALLOC, REWIND):
                body += align(rnd.randrange(10))
            if k == REWIND:
                body += bytes([rnd.randrange(256)])
            if k in (ALLOC, ALIGNED, REWIND, REALLOC, AREALLOC):
                body += size(rnd.choice((1, 7, 8, 13, 64, 100, 500, 2000)))
        body += op(VALIDATE)
        seeds["random-%d" % n] = bytes(body)
    return seeds


def pool_seeds():
    seeds = {}
    three = pool_header([(0, 0x1000, 0), (1, 0x2000, 0), (0, 0x3000, 0)])
    seeds["seed-board"] = three + op(ALLOC, 0) + size(0x40) + op(ALLOC, 0) + size(0x80) + \
        op(ALLOC, 0) + size(0x1200) + op(ALLOC, 1) + size(0x100) + op(ALLOC, 0) + size(0x8000) + \
        op(ALIGNED, 0) + align(8) + size(0x40) + op(REALLOC, 0) + b"\x00" + size(0x200) + op(VALIDATE)
    seeds["all-attrs"] = pool_header([(2, 0x800, 1), (1, 0x900, 2), (0, 0xa00, 3), (3, 0x400, 0)]) + \
        b"".join(op(ALLOC, a) + size(100) for a in range(4)) + op(FREE) + b"\x01"
    seeds["move-across"] = pool_header([(0, 0x400, 0), (0, 0x4000, 0)]) + op(ALLOC, 0) + size(100) + \
        op(ALLOC, 0) + size(100) + op(REALLOC, 0) + b"\x00" + size(0x1000) + op(FREE) + b"\x00"
    seeds["multi-heap"] = pool_header([(0, 0x800, 0), (1, 0x1000, 0), (2, 0x2000, 0)]) + \
        op(ALLOC, 0x10) + size(100) + op(ALLOC, 0x11) + size(0x900) + op(ALIGNED, 0x12) + align(9) + \
        size(64) + op(AREALLOC, 0x10) + b"\x00" + align(6) + size(0x1800) + op(FREE, 0x10) + b"\x02"
    seeds["tiny-regions"] = pool_header([(0, 32, 0), (0, 40, 5), (1, 64, 0), (0, 4096, 0)]) + \
        op(ALLOC, 0) + size(1) + op(ALLOC, 1) + size(1)
    rnd = random.Random(2)
    for n in range(3):
        regs = [(rnd.randrange(3), rnd.choice((0x200, 0x1000, 0x4000, 0xf000)), rnd.randrange(8))
                for _ in range(rnd.randrange(1, 7))]
        body = bytearray(pool_header(regs))
        for _ in range(100):
            k = rnd.choice((ALLOC, ALLOC, ALIGNED, REALLOC, AREALLOC, FREE, FREE))
            body += op(k, rnd.randrange(32))
            if k in (REALLOC, AREALLOC, FREE):
                body += bytes([rnd.randrange(255)])
            if k in (ALIGNED, AREALLOC):
                body += align(rnd.randrange(10))
            if k != FREE:
                body += size(rnd.choice((1, 16, 100, 700, 3000)))
        seeds["random-%d" % n] = bytes(body)
    return seeds


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for harness, seeds in (("fuzz_heap", heap_seeds()), ("fuzz_pool", pool_seeds())):
        d = os.path.join(root, harness)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
        print("%s: %d seeds in %s" % (harness, len(seeds), d))


if __name__ == "__main__":
    main()
