/*
 * bench_disk DIR MIB READS: the disk through the filesystem, in three timed phases on one file,
 * DIR/bench_disk.dat:
 *   write   MIB MiB written from the start in 64 KiB write calls, then fsync (and close);
 *   read    the file read back from the start in 64 KiB read calls, to the end;
 *   random  READS preads of 4 KiB at 4 KiB-aligned offsets chosen by xorshift64 from a fixed seed.
 * The file is removed at the end. Nothing is dropped from any cache between the phases.
 *
 * Each 4 KiB block of the file carries its own offset in its first 8 bytes (the rest is one
 * fixed xorshift64 pattern), so every block read back is checked for being the right one at
 * little cost: a check of every byte would make the emulated columns time the CPU, not the disk.
 *
 * Output, flushed line by line so that whoever reads it can time the phases by the lines'
 * arrival (bench/run.sh does, on the host's clock):
 *   bench_disk: PHASE start
 *   bench_disk: PHASE done BYTES_OR_OPS SECONDS      (SECONDS: CLOCK_MONOTONIC, the guest's clock)
 * and last one line that is the same on every machine (counts, checks and a checksum):
 *   disk: ...
 * Exits 1 when a call fails or a block reads back wrong, 2 on bad arguments.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64u * 1024u)    /* bytes per sequential write and read call */
#define BLOCK 4096u            /* bytes per random read, and the unit of the offset stamps */
#define MIB_MAX 65536ul        /* 64 GiB: keeps offsets and counts well inside their types */

static unsigned char pattern[CHUNK];
static unsigned char wbuf[CHUNK]; /* what the write calls take: the pattern, stamped */
static unsigned char buf[CHUNK];  /* what the read calls fill */
static const char *path;

static void fail(const char *what)
{
	dprintf(2, "bench_disk: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void phase_start(const char *name)
{
	printf("bench_disk: %s start\n", name);
	fflush(stdout);
}

static void phase_done(const char *name, unsigned long long amount, double start)
{
	double seconds = now() - start;
	printf("bench_disk: %s done %llu %.6f\n", name, amount, seconds);
	fflush(stdout);
}

/* Makes wbuf the chunk of the file at off (a multiple of CHUNK): only the stamps change, so
 * the write phase does not time a copy of every byte in the program itself. */
static void fill(uint64_t off)
{
	for (unsigned i = 0; i < CHUNK; i += BLOCK) {
		uint64_t at = off + i;
		memcpy(wbuf + i, &at, sizeof(at));
	}
}

/* Checks that p holds the block at off; adds a word of it to *sum. Returns 1 if wrong. */
static unsigned check_block(const unsigned char *p, uint64_t off, uint64_t *sum)
{
	uint64_t at, word;
	memcpy(&at, p, sizeof(at));
	/* A word that differs between blocks: one of the pattern's, chosen by the block number. */
	size_t w = 8 + ((off / BLOCK) % (BLOCK / 8 - 1)) * 8;
	memcpy(&word, p + w, sizeof(word));
	if (memcmp(p + w, pattern + (off % CHUNK) + w, sizeof(word)))
		return 1;
	*sum = (*sum ^ at ^ word) * 0x100000001b3ull;
	return at != off;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		dprintf(2, "usage: %s DIR MIB READS\n", argv[0]);
		return 2;
	}
	unsigned long mib = bench_count(argv[0], argv[2]), reads = bench_count(argv[0], argv[3]);
	if (mib > MIB_MAX) {
		dprintf(2, "%s: at most %lu MiB\n", argv[0], MIB_MAX);
		return 2;
	}
	static char name[4096];
	if (snprintf(name, sizeof(name), "%s/bench_disk.dat", argv[1]) >= (int)sizeof(name)) {
		dprintf(2, "%s: directory name too long\n", argv[0]);
		return 2;
	}
	path = name;
	uint64_t x = XORSHIFT64_SEED;
	for (unsigned i = 0; i < CHUNK; i += 8) {
		x = xorshift64(x);
		memcpy(pattern + i, &x, 8);
	}
	memcpy(wbuf, pattern, CHUNK);
	uint64_t size = (uint64_t)mib << 20, blocks = size / BLOCK, sum = 0;
	unsigned long bad = 0;

	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("open");
	phase_start("write");
	double t = now();
	for (uint64_t off = 0; off < size; off += CHUNK) {
		fill(off);
		ssize_t n = write(fd, wbuf, CHUNK);
		if (n != (ssize_t)CHUNK) {
			if (n >= 0)
				errno = EIO; /* a short write: a full disk says ENOSPC on the next */
			fail("write");
		}
	}
	if (fsync(fd))
		fail("fsync");
	if (close(fd))
		fail("close");
	phase_done("write", size, t);

	if ((fd = open(path, O_RDONLY)) < 0)
		fail("open");
	phase_start("read");
	t = now();
	uint64_t got = 0;
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0)
			fail("read");
		if (n == 0)
			break;
		/* Whole blocks only are checked; reads come in whole chunks but need not. */
		for (ssize_t i = 0; i + (ssize_t)BLOCK <= n; i += BLOCK)
			if ((got + (uint64_t)i) % BLOCK == 0)
				bad += check_block(buf + i, got + (uint64_t)i, &sum);
		got += (uint64_t)n;
	}
	phase_done("read", got, t);
	if (got != size) {
		dprintf(2, "bench_disk: read %llu bytes back of %llu\n", (unsigned long long)got,
			(unsigned long long)size);
		return 1;
	}

	phase_start("random");
	t = now();
	x = XORSHIFT64_SEED ^ 0x5bd1e995u;
	for (unsigned long i = 0; i < reads; i++) {
		x = xorshift64(x);
		uint64_t off = ((x >> 16) % blocks) * BLOCK;
		ssize_t n = pread(fd, buf, BLOCK, (off_t)off);
		if (n != (ssize_t)BLOCK) {
			if (n >= 0)
				errno = EIO;
			fail("pread");
		}
		bad += check_block(buf, off, &sum);
	}
	phase_done("random", reads, t);
	close(fd);
	if (unlink(path))
		fail("unlink");

	printf("disk: %lu MiB written in 64 KiB writes and read back, %lu random 4 KiB reads, "
	       "%lu bad blocks, checksum %016llx\n", mib, reads, bad, (unsigned long long)sum);
	return bad != 0;
}
