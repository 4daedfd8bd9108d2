/*
 * The ext2 library's host tests: the library over an image file, checked against e2fsprogs
 * (mke2fs makes images, e2fsck judges them, debugfs reads back what the library wrote).
 * Each suite is a function; main.c runs the one named on the command line.
 */
#ifndef EXT2_TEST_H
#define EXT2_TEST_H

#include "blockdev.h"
#include "ext2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern int test_failures;

/* Reports a failed expectation (file, line, the condition, a message) and counts it. */
void test_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define CHECK(cond, ...)                                                                         \
	do {                                                                                     \
		if (!(cond))                                                                     \
			test_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                       \
	} while (0)
/* A call that must return 0 (or a count): its result, reported if negative. */
#define OK(call)                                                                                 \
	({                                                                                       \
		long ok_r_ = (long)(call);                                                       \
		CHECK(ok_r_ >= 0, "%s = %ld", #call, ok_r_);                                     \
		ok_r_;                                                                           \
	})

/* An image file as a block device. After writes_left reaches 0, writes are dropped (they
 * report success and change nothing): a machine that lost power at that moment. */
struct filedev {
	struct blockdev dev;
	int fd;
	uint64_t writes, reads;   /* device calls */
	uint64_t read_bytes;      /* bytes the reads asked for */
	int64_t writes_left;      /* -1: no limit */
};

void filedev_open(struct filedev *f, const char *path, bool readonly);
void filedev_close(struct filedev *f);

/* A scratch directory for this run, and a path inside it. */
const char *work_dir(void);
const char *work_path(const char *name);
/* Runs a shell command line (printf format): its exit status. */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The standard output of a command line, malloc'd. */
char *capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* e2fsprogs' programs, from the environment (set by CMake) or by name. */
const char *tool(const char *name);
/* mke2fs -t ext2 of an image of size KiB, block size bs, inode size is, from dir (or empty). */
void make_image(const char *img, unsigned kib, unsigned bs, unsigned is, const char *dir,
		const char *extra);
/* e2fsck's exit status: -fn (check only) or -p (preen). */
int fsck(const char *img, bool preen);

/* Mounts img over f (read-only or not); fails the test if it cannot. */
bool mount_image(struct filedev *f, const char *img, bool readonly);
/* The node at path (from the root, '/'-separated), or 0. */
uint64_t walk(const char *path);
/* The whole of a file read through the library (*len bytes), malloc'd. */
unsigned char *read_all(uint64_t node, size_t *len);
/* Creates (or finds) path's file and writes data to it at off. Its node. */
uint64_t put_file(uint64_t dir, const char *name, const void *data, size_t len);
/* Deterministic bytes for file contents. */
void fill_pattern(unsigned char *buf, size_t len, unsigned seed);
/* Pins left in the block cache after a call (must be none). */
void check_no_pins(void);

void suite_read(void);
void suite_write(void);
void suite_enospc(void);
void suite_crash(void);
void suite_corrupt(void);

#endif
