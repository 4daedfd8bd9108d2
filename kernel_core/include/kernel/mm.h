/* A process's memory: its address space and the regions (VMAs) that may be mapped in it. */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include <kernel/types.h>
#include <kernel/vm.h>

/* Region protections use the uapi PROT_* bits. */
struct vma {
	uint64_t start, end;
	unsigned prot;
	bool device;               /* a device's registers or DMA memory (pci.c): see mm_map_device */
	int height;                /* of its subtree */
	uint64_t max_gap;          /* the largest free gap below a region of its subtree */
	struct vma *next, *prev;   /* sorted by start, never overlapping */
	struct vma *left, *right;  /* the same regions as an AVL tree keyed by start */
};

struct mm {
	struct addrspace as;
	struct vma *vmas; /* the first region of the list */
	struct vma *tree;
	uint64_t brk_start, brk; /* the heap is [brk_start, PAGE_UP(brk)) */
	uint64_t mmap_top;       /* mmap places regions below this, top down */
	unsigned refs;           /* processes sharing it (threads, vfork), for mm_new's memories */
};

/* Linux's TASK_SIZE: the last page below USER_END is never user memory (a guard against
 * sysret to a non-canonical address), so the memory calls treat it as outside. */
#define TASK_END (USER_END - PAGE_SIZE)
#define STACK_TOP 0x00007ffffffff000ull
#define STACK_SIZE (8ull << 20)
#define MMAP_TOP (STACK_TOP - STACK_SIZE - (1ull << 30))

/* An empty memory with its own address space. 0 or -ENOMEM. */
int mm_create(struct mm *mm);
/* A copy-on-write copy of src: same regions, every page shared. 0 or -ENOMEM. */
int mm_clone(struct mm *dst, struct mm *src);
/* Frees every region, page, and table. */
void mm_destroy(struct mm *mm);
/* The same, for memories shared by reference: a new empty one, a copy-on-write copy of src, or
 * NULL; mm_put frees it with its last reference. */
struct mm *mm_new(void);
struct mm *mm_new_clone(struct mm *src);
struct mm *mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* Adds region [start, start+len) with prot, replacing what was there. 0, -EINVAL or -ENOMEM. */
int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned prot);
/* Adds region [start, start+len) for a device mapping (pci.c), whose pages the caller maps with
 * VM_DEVICE: fork does not copy it, mremap and madvise refuse it, nothing is demand-allocated
 * in it. 0, -EINVAL or -ENOMEM. */
int mm_map_device(struct mm *mm, uint64_t start, uint64_t len, unsigned prot);
/* Removes [start, start+len) and frees its pages. 0, -EINVAL or -ENOMEM (splitting a region). */
int mm_unmap(struct mm *mm, uint64_t start, uint64_t len);
/* Changes the protection of [start, start+len), all of which must be mapped. 0 or -errno. */
int mm_protect(struct mm *mm, uint64_t start, uint64_t len, unsigned prot);
/* A free, page-aligned range of len bytes below mmap_top, or 0 if none. */
uint64_t mm_find_free(const struct mm *mm, uint64_t len);
/* True when any part of [start, start+len) is in a region. */
bool mm_overlaps(const struct mm *mm, uint64_t start, uint64_t len);
/* The region containing va, or NULL. */
struct vma *mm_find(const struct mm *mm, uint64_t va);
/* The first region that ends above va (it may start above it too), or NULL. */
struct vma *mm_next(const struct mm *mm, uint64_t va);
/* Whether [start, end) is mapped with no gap. */
bool mm_covers(const struct mm *mm, uint64_t start, uint64_t end);

/*
 * Resolves a fault at va: demand-allocates a page of a region, or copies a copy-on-write page.
 * access holds PF_WRITE / PF_FETCH when known. Returns 0 when resolved, -EFAULT when the access
 * is not allowed (the process gets SIGSEGV), -ENOMEM when memory ran out.
 */
int mm_fault(struct mm *mm, uint64_t va, unsigned access, bool access_known);

/* Writes kernel data into the process's pages whatever their protection (loader, stacks). */
int mm_poke(struct mm *mm, uint64_t va, const void *src, size_t len);

/* Copies from user memory: 0, or -EFAULT if any byte is not readable by the user. */
int copy_in(struct mm *mm, void *dst, uint64_t uva, size_t len);
/* Copies to user memory: 0, or -EFAULT if any byte is not writable by the user (nothing done). */
int copy_out(struct mm *mm, uint64_t uva, const void *src, size_t len);
/* The same on a range uaccess_prepare has made ready (a caller that copies in pieces). */
int copy_in_prepared(struct mm *mm, void *dst, uint64_t uva, size_t len);
int copy_out_prepared(struct mm *mm, uint64_t uva, const void *src, size_t len);
/* Fills user memory in place, piece by piece (/dev/zero, /dev/urandom): 0, or -EFAULT if any
 * byte is not writable by the user (nothing done). */
int fill_out(struct mm *mm, uint64_t uva, size_t len, void (*fill)(void *piece, size_t n));
/* Copies a NUL-terminated string of at most max-1 bytes (or, with dst NULL, only measures it):
 * its length, -EFAULT or -ENAMETOOLONG. */
long copy_str_in(struct mm *mm, char *dst, uint64_t uva, size_t max);
/* Makes [uva, uva+len) present and readable (or writable) by the user. 0 or -EFAULT. */
int uaccess_prepare(struct mm *mm, uint64_t uva, size_t len, bool write);
/* Calls fn on each physically contiguous piece of a prepared user range, in order. */
int uaccess_each(struct mm *mm, uint64_t uva, size_t len,
		 int (*fn)(void *piece, size_t n, void *arg), void *arg);

#endif
