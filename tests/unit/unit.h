/* Shared by the unit test suites: their constructors and helpers for guest images and fixtures. */
#ifndef UNIT_H
#define UNIT_H

/* First: the guest ABI's wait-status macros must come before the C library's. */
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_plat.h"

/* Environment variables naming the guest programs the suites load (set by CTest). */
#define GUEST_HELLO "ECLIPSE_GUEST_HELLO"
#define GUEST_ARGS "ECLIPSE_GUEST_ARGS"
#define GUEST_MEMORY "ECLIPSE_GUEST_MEMORY"

/* Seconds a test may take: sanitizer builds run the kernel several times slower. */
#define UNIT_TIMEOUT 60

/* The suites, one per kernel subsystem, each built fresh for the runner. */
Suite *frame_suite(void);
Suite *kmalloc_suite(void);
Suite *vm_suite(void);
Suite *mm_suite(void);
Suite *cpio_suite(void);
Suite *elf_suite(void);
Suite *exec_suite(void);
Suite *syscall_suite(void);
Suite *trace_suite(void);
Suite *pci_suite(void);
Suite *driver_suite(void);
Suite *vt_suite(void);
/* Not the kernel's: the duration parser it shares with eclipse-sim, pc and the guests. */
Suite *duration_suite(void);

/* A whole host file in an exactly sized malloc'd buffer (overreads trip ASan), or NULL. */
unsigned char *unit_read_file(const char *path, size_t *len);
/* The guest program named by environment variable var; fails the test when it is missing. */
unsigned char *unit_load_guest(const char *var, size_t *len);
/* A test case of s with the given fixture (run in the test's own process) and UNIT_TIMEOUT. */
TCase *unit_tcase(Suite *s, const char *name, void (*setup)(void), void (*teardown)(void));

/* A cpio "newc" archive under construction, in a heap buffer that grows. */
struct newc {
	char *buf;
	size_t len, cap;
};

/* Appends n raw bytes. */
void newc_put(struct newc *a, const void *p, size_t n);
/* Appends NULs up to the next multiple of 4 bytes. */
void newc_pad(struct newc *a);
/* Appends a header with magic and these fields (namesize counts the name's NUL). */
void newc_header(struct newc *a, const char *magic, uint32_t mode, uint32_t filesize,
		 uint32_t namesize);
/* Appends a well-formed entry: header, name, data, with their padding. */
void newc_entry(struct newc *a, const char *name, const void *data, size_t size, uint32_t mode);
/* Appends the TRAILER!!! entry that ends an archive. */
void newc_trailer(struct newc *a);

#endif
