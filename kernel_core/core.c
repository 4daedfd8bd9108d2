/* The kernel's side of core.h: what the platforms may ask of it, over the kernel's own calls. */
#include <kernel/cpio.h>
#include <kernel/elf.h>
#include <kernel/frame.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/vm.h>
#include <uapi/linux.h>

_Static_assert(CORE_THREADS_MAX == PROC_LIMIT_MAX && CORE_THREADS_DEFAULT == PROC_LIMIT_DEFAULT,
	       "core.h's thread limits");
_Static_assert(ELF_OK == 0, "core.h: elf_err 0 is no error");
_Static_assert(CORE_NAME_MAX == PROC_NAME_MAX, "core.h's name length");
_Static_assert(CORE_NSIG == PROC_NSIG, "core.h's signal count");
_Static_assert(CORE_PAGE_WRITE == VM_WRITE && CORE_PAGE_EXEC == VM_EXEC &&
		       CORE_PAGE_USER == VM_USER,
	       "core.h's page flags");

size_t core_frames_used(void)
{
	return frame_total_count() - frame_free_count();
}

size_t core_objects_live(void)
{
	return kmalloc_live();
}

const char *core_elf_strerror(int elf_err)
{
	return elf_strerror(elf_err);
}

const char *core_elf_error_name(int elf_err)
{
	return elf_error_name(elf_err);
}

bool core_image_has(const void *archive, size_t len, const char *path)
{
	struct cpio_entry e;
	return cpio_find(archive, len, path, &e) == 0;
}

struct thread *core_current(void)
{
	return thread_current;
}

struct thread *core_thread(int tid)
{
	return thread_find(tid);
}

struct thread *core_thread_next(unsigned *cursor)
{
	return thread_next(cursor);
}

int core_tid(const struct thread *t)
{
	return t->tid;
}

int core_pid(const struct thread *t)
{
	return t->proc->pid;
}

const char *core_name(const struct thread *t)
{
	return t->name;
}

struct uctx *core_uctx(struct thread *t)
{
	return &t->ctx;
}

struct mm *core_mm(const struct thread *t)
{
	return t->proc->mm;
}

uint64_t core_wake_time(const struct thread *t)
{
	if (t->state == THREAD_RUNNABLE)
		return 0;
	return t->state == THREAD_BLOCKED ? t->wait.deadline : UINT64_MAX;
}

int core_translate(const struct mm *mm, uint64_t va, uint64_t *pa, unsigned *flags)
{
	return vm_translate(&mm->as, va, pa, flags);
}

int core_translate_root(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags)
{
	struct addrspace as = {.root = root};
	return vm_translate(&as, va, pa, flags);
}

bool core_in_region(const struct mm *mm, uint64_t va)
{
	return mm_find(mm, va) != NULL;
}

int core_poke(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	return mm_poke(mm, va, src, len);
}

/* Whether pa lies in a frame the allocator manages. This follows frame.c's layout: each RAM
 * range starts with its reference counts, two bytes a frame, and the frames after them are
 * managed; the counts themselves, page 0 and non-RAM are not. */
static bool frame_managed(uint64_t pa)
{
	const struct plat_mem_range *r;
	size_t n = plat_mem_ranges(&r);
	for (size_t i = 0; i < n; i++) {
		uint64_t base = PAGE_UP(r[i].base), end = PAGE_DOWN(r[i].base + r[i].size);
		if (base == 0)
			base = PAGE_SIZE;
		if (end <= base || pa < base || pa >= end)
			continue;
		uint64_t meta = PAGE_UP(((end - base) >> PAGE_SHIFT) * sizeof(uint16_t));
		return meta < end - base && pa >= base + meta;
	}
	return false;
}

bool core_frame_held_code(uint64_t pa)
{
	return frame_managed(pa) && frame_held_code(PAGE_DOWN(pa));
}

uint64_t core_frame_alloc(void)
{
	return frame_alloc();
}

void core_frame_put(uint64_t pa)
{
	frame_put(pa);
}

int core_kernel_map(uint64_t va, uint64_t pa, unsigned flags)
{
	return vm_kernel_map(va, pa, flags);
}

uint64_t core_kernel_root(void)
{
	return vm_kernel_root();
}

static struct addrspace probe;

uint64_t core_probe_new(uint64_t va, const void *code, size_t len)
{
	if (probe.root || len > PAGE_SIZE || vm_create(&probe))
		return 0;
	uint64_t page = frame_alloc();
	if (!page || vm_map(&probe, va, page, VM_USER | VM_EXEC)) {
		if (page)
			frame_put(page);
		core_probe_free();
		return 0;
	}
	kmemcpy(plat_phys(page), code, len);
	return probe.root;
}

void core_probe_free(void)
{
	if (probe.root)
		vm_destroy(&probe);
	probe = (struct addrspace){0};
}
