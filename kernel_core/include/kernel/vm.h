/* x86_64 4-level page tables. The upper half is the kernel's, shared by every address space. */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <kernel/types.h>

/* Mapping flags. Every mapping is readable; VM_COW marks a read-only copy-on-write page;
 * VM_NOACCESS keeps a user page mapped but out of user mode's reach (PROT_NONE). */
#define VM_WRITE 0x1u
#define VM_EXEC 0x2u
#define VM_USER 0x4u
#define VM_COW 0x8u
#define VM_NOACCESS 0x10u
/* Device mappings (pci.c): VM_DEVICE pages are not copied by fork (a child gets none, as with
 * Linux's VM_DONTCOPY); VM_MMIO pages are a device's registers, not RAM: they hold no frame
 * reference and the kernel never reads or writes them itself; VM_NOCACHE maps uncached. */
#define VM_DEVICE 0x20u
#define VM_MMIO 0x40u
#define VM_NOCACHE 0x80u


struct addrspace {
	uint64_t root; /* physical address of the PML4 */
	size_t tables; /* page-table frames below the root */
};

/* Builds the kernel address space template. Returns 0 or -ENOMEM. */
int vm_init(void);
/* Tears the template down (tests, shutdown). */
void vm_fini(void);
/* Maps kernel page va -> pa in the shared upper half. Only before the first vm_create. */
int vm_kernel_map(uint64_t va, uint64_t pa, unsigned flags);
/* The template's root, for the platform's own use before any process exists. */
uint64_t vm_kernel_root(void);
/* A new address space sharing the kernel half. Returns 0 or -ENOMEM. */
int vm_create(struct addrspace *as);
/* Frees every table of the user half and drops the reference of every frame mapped there. */
void vm_destroy(struct addrspace *as);
/* Maps user page va to frame pa, taking over one reference. 0, -ENOMEM or -EEXIST. */
int vm_map(struct addrspace *as, uint64_t va, uint64_t pa, unsigned flags);
/* Unmaps user page va and drops its frame's reference. 0 or -ENOENT. */
int vm_unmap(struct addrspace *as, uint64_t va);
/* Replaces the flags of mapped page va (same frame). 0 or -ENOENT. */
int vm_protect(struct addrspace *as, uint64_t va, unsigned flags);
/* Replaces the frame of mapped page va with pa (taking over one reference; the old frame's is
 * dropped). 0 or -ENOENT. */
int vm_remap(struct addrspace *as, uint64_t va, uint64_t pa, unsigned flags);
/* Unmaps every mapped page in [start, end), skipping absent tables. */
void vm_unmap_range(struct addrspace *as, uint64_t start, uint64_t end);
/* Sets flags on every mapped page in [start, end); copy-on-write pages stay read-only. */
void vm_protect_range(struct addrspace *as, uint64_t start, uint64_t end, unsigned flags);
/* A copy of src sharing every user frame: writable pages become copy-on-write in both.
 * 0 or -ENOMEM (dst is then empty). */
int vm_clone_cow(struct addrspace *dst, struct addrspace *src);
/* Looks up page va: 0 with *pa (page base) and *flags, or -EFAULT when not mapped. */
int vm_translate(const struct addrspace *as, uint64_t va, uint64_t *pa, unsigned *flags);
/* Calls fn for each mapped user page of as in address order until it returns true; whether
 * one did. Costs what is mapped, not the size of the regions. */
typedef bool (*vm_page_fn)(uint64_t va, uint64_t pa, unsigned flags, void *arg);
bool vm_find_page(const struct addrspace *as, vm_page_fn fn, void *arg);

#endif
