#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from the build's own programs and tools.

usage: make_seeds.py --out DIR --objcopy OBJCOPY --mkimage MKIMAGE --status FILE
                     --elf PROGRAM... --conf-dir DIR...

  DIR/elf/       the guest PROGRAMs, stripped (the first one, hello, is also the program the
                 syscall harness runs: the harnesses find it here)
  DIR/cpio/      small boot images written by eclipse-mkimage, and variants of them in the
                 other spellings the format allows ("070702" magic, upper-case hex, "./" names)
  DIR/config/    every *.conf of the --conf-dirs
  DIR/syscall/   scripts for fuzz_syscall.c in its input format (see the comment at its top)
  DIR/gdb/       debugger sessions for fuzz_gdb.c: a stop (two bytes), then framed packets
  DIR/ext2/      tiny ext2 images made by --mke2fs (revision 0 and 1, 1 and 4 KiB blocks,
                 128- and 256-byte inodes) from a tree with every kind of file
  DIR/virtio/    driver sessions for fuzz_virtio.c in its input format (see its top comment)
  DIR/stamp      written last
"""
import argparse
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

# fuzz_syscall.c's argument kinds (the low 4 bits of an argument's first byte).
def zero(): return b"\x00"
def small(n): return b"\x01" + bytes([n])
def neg(n): return b"\x02" + bytes([n - 1])          # -n
def good(off): return b"\x03" + struct.pack("<H", off)
def known(i): return b"\x04" + bytes([i])             # index into known_offsets
def guard(d): return b"\x05" + bytes([d])             # d bytes before the guard page
def canary(k): return b"\x06" + bytes([k])            # the canary's secret + 16k
def text(off): return b"\x07" + struct.pack("<H", off)
def image(off): return b"\x08" + struct.pack("<H", off)
def stack(k): return b"\x09" + bytes([k])
def special(i): return b"\x0a" + bytes([i])
def u32(v): return b"\x0c" + struct.pack("<I", v & 0xffffffff)
def u64(v): return b"\x0d" + struct.pack("<Q", v & 0xffffffffffffffff)
def heap(off): return b"\x0e" + struct.pack("<H", off >> 4)
def page(k): return b"\x0f" + bytes([k])              # GOOD - 8 pages + k pages

# known_offsets indices.
HELLO, INIT, OTHER, SCRIPT, NAME, CONF, DIR, ARGV, TS_SHORT, TS_LONG, IOV, SIGACT, SIGIGN, \
    SIGSET, OUT, MSG, REPLY, BADMSG = range(18)
# specials indices.
KERNEL_HALF, USER_END, UINT64_MAX, IPC_FOREVER, NONE = 0, 1, 4, 11, 13


def sys_(nr, *args):
    args = list(args) + [zero()] * (6 - len(args))
    return b"\xd0" + struct.pack("<H", nr) + b"".join(args)


def tick(): return b"\xe0"
def fault(addr, access): return b"\xf0" + addr + bytes([access])
def exception(vector, rip): return b"\xf8" + bytes([vector]) + rip


def script(*ops, console=b""):
    return struct.pack("<H", len(console)) + console + b"".join(ops)


def syscall_seeds(program_len):
    PROT_RW, ANON_PRIVATE, SIGUSR1, SIGKILL, SIGSTOP, SIGCONT = 3, 0x22, 10, 9, 19, 18
    return {
        "console": script(
            sys_(1, small(1), known(HELLO), small(10)),
            sys_(20, small(1), known(IOV), small(2)),
            sys_(1, small(2), guard(4), small(8)),
            sys_(1, small(1), text(0), small(16)),
            sys_(1, small(1), canary(0), small(64)),
            sys_(0, small(0), known(OUT), small(32)),
            sys_(1, small(1), known(OUT), small(32)),
            console=b"typed on the console\n"),
        "memory": script(
            sys_(9, zero(), u32(1 << 16), small(PROT_RW), small(ANON_PRIVATE), neg(1)),
            sys_(9, page(8), u32(4096), small(PROT_RW), small(ANON_PRIVATE | 0x10), neg(1)),
            sys_(10, page(8), u32(4096), small(1)),
            sys_(0, small(0), page(8), small(10)),
            sys_(11, page(8), u32(4096)),
            sys_(12, heap(0x3000)),
            sys_(12, zero()),
            sys_(10, text(0), u32(4096), small(7)),
            sys_(0, small(0), text(0), small(4))),
        "fork": script(
            sys_(57), tick(), sys_(39), sys_(110),
            sys_(61, neg(1), known(OUT), small(1)),
            sys_(60, small(3)), tick(),
            sys_(61, neg(1), known(OUT), zero()),
            sys_(61, neg(1), canary(0), zero())),
        "signals": script(
            sys_(13, small(SIGUSR1), known(SIGACT), known(OUT), small(8)),
            sys_(14, small(0), known(SIGSET), known(OUT), small(8)),
            sys_(62, small(1), small(SIGUSR1)),
            sys_(14, small(1), known(SIGSET), zero(), small(8)),
            sys_(15),
            sys_(62, small(2), small(SIGSTOP)),
            sys_(62, neg(1), small(SIGCONT)),
            sys_(62, small(2), small(SIGKILL)),
            sys_(13, small(SIGUSR1), known(SIGIGN), zero(), small(8)),
            sys_(62, zero(), small(SIGUSR1))),
        "exec": script(
            sys_(59, known(SCRIPT), known(ARGV), zero()),
            sys_(59, known(DIR), known(ARGV), zero()),
            sys_(59, canary(0), known(ARGV), zero()),
            sys_(59, known(OTHER), known(ARGV), zero()),
            sys_(59, known(HELLO), zero(), zero())),
        "exec_image": script(
            sys_(501, image(0), u32(program_len - 1), known(ARGV), zero()),
            sys_(501, canary(0), u32(program_len), known(ARGV), zero()),
            sys_(501, image(0), u32(program_len), known(ARGV), zero())),
        "ipc": script(
            sys_(506, known(NAME)),
            sys_(57), tick(),
            sys_(507, known(NAME)),
            sys_(504, small(1), known(MSG), known(REPLY), special(IPC_FOREVER)),
            sys_(503, zero(), known(REPLY), special(IPC_FOREVER)),
            sys_(505, small(3), known(MSG)),
            sys_(502, small(1), known(BADMSG), special(NONE)),
            sys_(503, small(2), canary(0), special(NONE)),
            sys_(502, small(2), known(MSG), u32(1000))),
        "files": script(
            sys_(2, known(CONF), zero()),
            sys_(0, small(3), known(OUT), small(100)),
            sys_(8, small(3), small(5), zero()),
            sys_(5, small(3), known(OUT)),
            sys_(32, small(3)),
            sys_(33, small(3), small(7)),
            sys_(3, small(7)),
            sys_(257, neg(100), known(CONF), zero()),
            sys_(0, small(4), canary(0), small(16))),
        "time": script(
            sys_(35, known(TS_SHORT), known(OUT)),
            sys_(228, small(1), known(OUT)),
            sys_(63, known(OUT)),
            sys_(63, canary(0)),
            sys_(158, u32(0x1002), page(3)),
            sys_(158, u32(0x1003), known(OUT)),
            sys_(500, zero(), known(OUT)),
            sys_(35, known(TS_LONG), zero())),
        "traps": script(
            fault(good(0), 0x82), tick(),
            fault(u64(0), 0x80),
            exception(6, text(0))),
    }


def gdb_packet(data):
    return b"$" + data + b"#" + b"%02x" % (sum(data) & 0xff)


def gdb_session(reason, pid, *packets, raw=b""):
    """What gdb sends after the system stopped for reason (debug.h) in process pid."""
    return bytes([reason, pid - 1]) + b"".join(b"+" + gdb_packet(p) for p in packets) + raw


def gdb_seeds():
    hello = [b"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;xmlRegisters=i386",
             b"vMustReplyEmpty", b"QStartNoAckMode", b"Hg0", b"qXfer:features:read:target.xml:0,ffb",
             b"qTStatus", b"?", b"qfThreadInfo", b"qsThreadInfo", b"qAttached", b"Hc-1", b"qC",
             b"qOffsets", b"g", b"qSymbol::"]
    return {
        "attach": gdb_session(0, 1, *hello),
        "threads": gdb_session(3, 1, b"qXfer:threads:read::0,1000", b"Hg2", b"g", b"Hg3",
                               b"qThreadExtraInfo,3", b"T4", b"T3", b"Hg4", b"Hg63"),
        "registers": gdb_session(4, 1, b"p10", b"p7", b"P10=0010400000000000", b"p39",
                                 b"P18=ffffffffffffffff", b"G" + b"00" * 8, b"p0", b"p3a"),
        "memory": gdb_session(4, 2, b"m400000,40", b"M400000,4:cccccccc", b"X400004,2:\x90\x90",
                              b"m30000000,8", b"Hg3", b"m30000000,8", b"M30000000,2:4142",
                              b"mffffffffffffff00,200", b"m0,1"),
        "breakpoints": gdb_session(5, 1, b"Z0,401000,1", b"Z1,401004,1", b"Z2,30000000,8",
                                   b"Z3,30000000,4", b"Z4,7ffffffff000,8", b"z0,401000,1",
                                   b"z2,30000000,8", b"z1,999,1", b"Z9,0,0"),
        "resume": gdb_session(6, 1, b"vCont?", b"vCont;s:1;c", b"vCont;r401000,401010:1;c",
                              b"Hc1", b"s", b"c401000", b"C0b", b"S05;401000", b"vCont;C0b:2",
                              b"D", b"?", b"vKill;1", b"k"),
        "inferiors": gdb_session(13, 1, b"qSupported:multiprocess+;fork-events+;exec-events+",
                                 b"?", b"qfThreadInfo", b"qXfer:threads:read::0,1000",
                                 b"qXfer:exec-file:read:1:0,ff", b"qXfer:exec-file:read:9:0,ff",
                                 b"Hgp2.0", b"Z0,401000,1", b"Hgp1.-1", b"D;2", b"D;zz",
                                 b"Hgp7.7", b"vCont;r401000,401010:p1.1;c:p1.-1", b"vCont;c:p-1.-1",
                                 b"vCont;s:p2", b"D;1", b"vKill;1"),
        "framing": bytes([1, 0]) + b"+-" + gdb_packet(b"?") + b"\x03$g#00$m0,1$qC#b4" +
                   b"$" + b"a" * 40 + b"#zz" + b"}" + gdb_packet(b"X400000,1:}]") + b"$qC#",
    }


# fuzz_virtio.c's ops.
def v_mmio_write(off, size, value): return b"\x00" + struct.pack("<HBQ", off, size, value)
def v_mmio_read(off, size): return b"\x01" + struct.pack("<HB", off, size)
def v_ram(addr, data): return b"\x02" + struct.pack("<IB", addr, len(data)) + data
def v_clock(ns): return b"\x03" + struct.pack("<I", ns)
def v_cfg_write(reg, value): return b"\x04" + struct.pack("<BI", reg, value)
def v_cfg_read(reg): return b"\x05" + struct.pack("<B", reg)
def v_up(qlog, unknown=0): return b"\x06" + struct.pack("<BB", qlog, unknown)
def v_desc(i, kind, addr, length, flags, nxt):
    return b"\x07" + struct.pack("<BBQIBH", i, kind, addr, length, flags, nxt)
def v_offer(head): return b"\x08" + struct.pack("<H", head)
def v_notify(q=0): return b"\x09" + struct.pack("<H", q)
def v_request(kind, sector, length, first): return b"\x0a" + struct.pack("<BIHB", kind, sector, length, first)
def v_events(): return b"\x0d"
def v_avail_idx(idx): return b"\x0e" + struct.pack("<H", idx)
def v_ring(which, kind, addr): return b"\x0f" + struct.pack("<BBQ", which, kind, addr)

IN, OUT, FLUSH, GET_ID = 0, 1, 2, 3
NEXT, WRITE, INDIRECT = 1, 2, 4


def virtio_seeds():
    return {
        "rw": v_up(4) + v_request(OUT, 1, 1024, 0) + v_events() + v_mmio_read(0x1000, 1) +
              v_request(IN, 1, 1024, 3) + v_events() + v_request(FLUSH, 0, 0, 6) + v_events(),
        "id": v_up(8) + v_request(GET_ID, 0, 20, 0) + v_clock(50000) + v_request(0xff, 0, 16, 3) +
              v_events(),
        "past_end": v_up(3) + v_request(IN, 200, 4096, 0) + v_events(),
        "outside_ram": v_up(4) + v_desc(0, 0, 0x40000, 16, NEXT, 1) +
                       v_desc(1, 3, 0, 512, NEXT | WRITE, 2) + v_desc(2, 0, 0x60000, 1, WRITE, 0) +
                       v_offer(0) + v_notify() + v_events() + v_mmio_read(0x14, 1),
        "loop": v_up(4) + v_desc(0, 0, 0x40000, 16, NEXT, 1) + v_desc(1, 0, 0x41000, 16, NEXT, 0) +
                v_offer(0) + v_notify() + v_events(),
        "indirect": v_up(4) + v_desc(0, 0, 0x40000, 16, INDIRECT, 0) + v_offer(0) + v_notify() +
                    v_events(),
        "ring_jump": v_up(4) + v_avail_idx(40000) + v_notify() + v_events(),
        "rings_on_bar": v_up(4) + v_mmio_write(0x14, 1, 0) + v_ring(0, 2, 0) + v_ring(1, 3, 0) +
                        v_mmio_write(0x1c, 2, 1) + v_mmio_write(0x14, 1, 15) + v_notify() + v_events(),
        "config": v_cfg_read(0x34) + v_cfg_write(0x88, 4) + v_cfg_write(0x8c, 0x12) +
                  v_cfg_write(0x90, 2) + v_cfg_read(0x94) + v_cfg_write(0x94, 0) +
                  v_cfg_write(0x3c, 5) + v_up(4) + v_request(OUT, 0, 512, 0) + v_events() +
                  v_cfg_write(0x04, 0x407) + v_cfg_write(0x04, 0x3) + v_events(),
        "features": v_up(4, 1) + v_request(IN, 0, 512, 0) + v_events() + v_mmio_write(0x14, 1, 0),
    }


def n_frame(data): return b"\x00" + struct.pack(">H", len(data)) + data
def n_wait(ms): return b"\x01" + struct.pack(">H", ms)


def inet_sum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


GUEST_MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
GW_MAC = bytes([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02])
GUEST_IP, GW_IP = bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2])


def ipv4(proto, payload, src=GW_IP, dst=GUEST_IP):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack(">H", inet_sum(h)) + h[12:]
    return GUEST_MAC + GW_MAC + b"\x08\x00" + h + payload


def tcp(sport, dport, seq, ack, flags, data=b""):
    h = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = GW_IP + GUEST_IP + struct.pack(">BBH", 0, 6, len(h) + len(data))
    c = inet_sum(pseudo + h + data)
    return ipv4(6, h[:16] + struct.pack(">H", c) + h[18:] + data)


def udp(sport, dport, data):
    h = struct.pack(">HHHH", sport, dport, 8 + len(data), 0)
    return ipv4(17, h + data)


def net_seeds():
    arp = (b"\xff" * 6 + GW_MAC + b"\x08\x06" +
           struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + GW_MAC + GW_IP + b"\x00" * 6 + GUEST_IP)
    icmp = struct.pack(">BBHHH", 8, 0, 0, 0x1234, 1) + b"eclipse ping"
    icmp = icmp[:2] + struct.pack(">H", inet_sum(icmp)) + icmp[4:]
    syn, ack, psh, fin = 0x02, 0x10, 0x08, 0x01
    return {
        "arp": n_frame(arp),
        "ping": n_frame(ipv4(1, icmp)),
        "udp_echo": n_frame(udp(5000, 7, b"hello")),
        "tcp_echo": n_frame(tcp(40000, 80, 100, 0, syn)) + n_wait(10) +
                    n_frame(tcp(40000, 80, 101, 6510 + 1, ack | psh, b"GET / HTTP/1.0\r\n\r\n")) +
                    n_wait(300) + n_frame(tcp(40000, 80, 119, 6510 + 1, ack | fin)) + n_wait(1000),
        "tcp_closed": n_frame(tcp(40001, 81, 1, 0, syn)),
        "fragment": n_frame(ipv4(17, b"\x00" * 40)[:14] + struct.pack(">BBHHHBBH4s4s", 0x45, 0, 60, 7, 0x2000, 64, 17, 0, GW_IP, GUEST_IP) + b"\x00" * 40),
    }


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def newc_entries(archive):
    """The (header fields, name, data) of each entry of a newc archive, trailer included."""
    at = 0
    while at + 110 <= len(archive):
        fields = [int(archive[at + 6 + 8 * i:at + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name_at = at + 110
        data_at = (name_at + namesize + 3) & ~3
        yield fields, archive[name_at:name_at + namesize - 1], archive[data_at:data_at + filesize]
        at = (data_at + filesize + 3) & ~3


def newc(entries, magic=b"070701", hexcase=str.lower):
    out = bytearray()
    for fields, name, data in entries:
        fields = list(fields)
        fields[6], fields[11] = len(data), len(name) + 1
        out += magic + "".join(hexcase("%08x" % f) for f in fields).encode()
        out += name + b"\0"
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def cpio_variants(archive):
    """The same archive spelled as the format also allows."""
    entries = list(newc_entries(archive))
    prefixed = [(f, n if n == b"TRAILER!!!" else b"./" + n, d) for f, n, d in entries]
    return {
        "crc": newc(entries, magic=b"070702"),
        "upper": newc(entries, hexcase=str.upper),
        "dotslash": newc(prefixed),
    }


# (name, mke2fs options, KiB) of the ext2 seed images.
EXT2_IMAGES = [
    ("1k-128", ["-b", "1024", "-I", "128"], 64),
    ("1k-256", ["-b", "1024", "-I", "256"], 64),
    ("4k-256", ["-b", "4096", "-I", "256", "-O", "^resize_inode"], 256),
    ("rev0", ["-b", "1024", "-r", "0"], 64),
]


def ext2_seeds(mke2fs, tmp):
    """Tiny ext2 images of a tree with files (one past the direct blocks), a directory, fast
    and slow symbolic links, a hard link and a fifo, each padded to its full size."""
    tree = pathlib.Path(tmp) / "ext2-tree"
    (tree / "dir").mkdir(parents=True)
    (tree / "small").write_bytes(b"ext2 seed\n")
    (tree / "dir" / "blocks").write_bytes(bytes(range(256)) * 60)
    (tree / "empty").write_bytes(b"")
    (tree / "fast").symlink_to("small")
    (tree / "slow").symlink_to("dir/" + "s" * 80)
    (tree / "hard").hardlink_to(tree / "small")
    os.mkfifo(tree / "fifo")
    seeds = {}
    for name, options, kib in EXT2_IMAGES:
        image = pathlib.Path(tmp) / f"{name}.img"
        subprocess.run([mke2fs, "-q", "-F", "-t", "ext2", "-N", "32", "-E", "root_owner=0:0"] +
                       options + ["-d", str(tree), str(image), f"{kib}k"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(image, "r+b") as f:
            f.truncate(kib * 1024)
        seeds[name] = image.read_bytes()
    return seeds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--objcopy", required=True)
    ap.add_argument("--mkimage", required=True)
    ap.add_argument("--status", required=True)
    ap.add_argument("--elf", nargs="+", required=True)
    ap.add_argument("--conf-dir", nargs="+", required=True)
    ap.add_argument("--mke2fs", help="e2fsprogs' mke2fs, for the ext2 seeds (none without it)")
    a = ap.parse_args()

    out = a.out
    if out.exists():
        shutil.rmtree(out)
    for program in a.elf:
        dest = out / "elf" / pathlib.Path(program).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([a.objcopy, "--strip-all", program, str(dest)], check=True)
    hello = out / "elf" / pathlib.Path(a.elf[0]).name

    confs = sorted(p for d in a.conf_dir for p in pathlib.Path(d).glob("*.conf"))
    for conf in confs:
        write(out / "config" / f"{conf.parent.name}-{conf.name}", conf.read_bytes())

    with tempfile.TemporaryDirectory() as tmp:
        images = {
            "program": [f"/sbin/init={hello}"],
            "etc": [f"/etc/services.conf={confs[0]}", f"/etc/status={a.status}"],
            "nested": [f"/a/b/c/d={a.status}", f"/a/b/e={a.status}"],
        }
        for name, entries in images.items():
            path = pathlib.Path(tmp) / name
            subprocess.run([a.mkimage, str(path)] + entries, check=True)
            archive = path.read_bytes()
            write(out / "cpio" / name, archive)
            assert newc(newc_entries(archive)) == archive, "newc writer differs from mkimage"
            if name != "program":
                for variant, data in cpio_variants(archive).items():
                    write(out / "cpio" / f"{name}-{variant}", data)

    for name, data in syscall_seeds(hello.stat().st_size).items():
        write(out / "syscall" / name, data)
    for name, data in gdb_seeds().items():
        write(out / "gdb" / name, data)
    (out / "ext2").mkdir(parents=True, exist_ok=True)
    if a.mke2fs and shutil.which(a.mke2fs):
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in ext2_seeds(a.mke2fs, tmp).items():
                write(out / "ext2" / name, data)
    else:
        print("make_seeds.py: no mke2fs: no ext2 seeds", file=sys.stderr)
    for name, data in virtio_seeds().items():
        write(out / "virtio" / name, data)
    for name, data in net_seeds().items():
        write(out / "net" / name, data)
    (out / "stamp").write_text("seeds made by make_seeds.py\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
