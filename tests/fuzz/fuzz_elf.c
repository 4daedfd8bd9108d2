/*
 * The ELF loader (kernel_core/elf.c) on arbitrary bytes, over the fake platform. elf_parse must
 * answer ELF_OK or one of its errors, the same from kernel memory and from a process's memory
 * (exec_image's path). An accepted image must describe only what the loader promises (sorted,
 * disjoint, user-range, non-W+X segments inside the file, an entry in executable code), and
 * load into fresh memories three ways (from kernel memory; from user memory into the image
 * cache; from the cache) with the same bytes, zeroed bss and the same protections everywhere:
 * read-only segments refuse writes, and a process that makes its shared copy writable changes
 * only its own. Afterwards every frame and kernel object is free again.
 */
#include "fuzz.h"
/* The guest ABI before the C library: its wait-status macros must win (see unit.h). */
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#include <kernel/elf.h>
#include <kernel/frame.h>
#include <kernel/imgcache.h>
#include <kernel/kernel.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <stdlib.h>
#include <string.h>

#include "fake_plat.h"

#define RAM (32u << 20)
#define IMAGE_VA 0x10000000ull /* where the image sits in the memory it is read from */
#define VERIFY_MAX (64u << 10) /* bytes of each segment compared */
#define CACHE_ID 1

static size_t baseline_frames, baseline_objects;

static void boot(void *arg)
{
	(void)arg;
	FUZZ_CHECK(kernel_init(&(struct kernel_config){0}) == 0, "kernel_init failed");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fake_plat_reset(RAM);
	fuzz_run_kernel(boot, NULL);
	return 0;
}

/* Reads n bytes at va of mm whatever their protection: absent pages read as zero. */
static void peek(struct mm *mm, uint64_t va, unsigned char *buf, size_t n)
{
	while (n) {
		uint64_t pa;
		unsigned flags;
		size_t off = va & PAGE_MASK, chunk = MIN(n, PAGE_SIZE - off);
		if (vm_translate(&mm->as, PAGE_DOWN(va), &pa, &flags) == 0)
			memcpy(buf, (unsigned char *)plat_phys(pa) + off, chunk);
		else
			memset(buf, 0, chunk);
		buf += chunk;
		va += chunk;
		n -= chunk;
	}
}

static void check_info(const struct elf_info *info, size_t size)
{
	FUZZ_CHECK(info->nsegments >= 1 && info->nsegments <= ELF_MAX_SEGMENTS, "%d segments",
		   info->nsegments);
	bool entry_ok = false;
	for (int i = 0; i < info->nsegments; i++) {
		const struct elf_segment *s = &info->segments[i];
		FUZZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz, "segment %d: filesz %llu memsz %llu",
			   i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
		FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset,
			   "segment %d outside the %zu-byte file", i, size);
		FUZZ_CHECK(s->vaddr >= USER_MIN && s->vaddr < MMAP_TOP && s->memsz <= MMAP_TOP - s->vaddr,
			   "segment %d at %#llx+%#llx outside user memory", i,
			   (unsigned long long)s->vaddr, (unsigned long long)s->memsz);
		FUZZ_CHECK((s->vaddr & PAGE_MASK) == (s->offset & PAGE_MASK),
			   "segment %d: vaddr and offset disagree modulo the page", i);
		FUZZ_CHECK(!(s->prot & ~(unsigned)(PROT_READ | PROT_WRITE | PROT_EXEC)) &&
				   (s->prot & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC),
			   "segment %d: prot %#x", i, s->prot);
		if (i)
			FUZZ_CHECK(PAGE_DOWN(s->vaddr) >= PAGE_UP(s[-1].vaddr + s[-1].memsz),
				   "segment %d shares a page with segment %d", i, i - 1);
		if ((s->prot & PROT_EXEC) && info->entry >= s->vaddr && info->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	FUZZ_CHECK(entry_ok, "entry %#llx outside executable segments",
		   (unsigned long long)info->entry);
	const struct elf_segment *last = &info->segments[info->nsegments - 1];
	FUZZ_CHECK(info->end == last->vaddr + last->memsz, "end %#llx", (unsigned long long)info->end);
}

static bool same_info(const struct elf_info *a, const struct elf_info *b)
{
	if (a->entry != b->entry || a->phdr_vaddr != b->phdr_vaddr || a->phnum != b->phnum ||
	    a->phentsize != b->phentsize || a->end != b->end || a->nsegments != b->nsegments)
		return false;
	for (int i = 0; i < a->nsegments; i++) {
		const struct elf_segment *s = &a->segments[i], *t = &b->segments[i];
		if (s->vaddr != t->vaddr || s->memsz != t->memsz || s->offset != t->offset ||
		    s->filesz != t->filesz || s->prot != t->prot)
			return false;
	}
	return true;
}

/* The image in a process's memory (read-only), as exec_image finds it. */
static void make_user_image(struct mm *mm, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(mm_create(mm) == 0, "mm_create failed");
	FUZZ_CHECK(mm_map(mm, IMAGE_VA, PAGE_UP(size ? size : 1), PROT_READ) == 0, "mm_map failed");
	FUZZ_CHECK(mm_poke(mm, IMAGE_VA, data, size) == 0, "mm_poke failed");
}

/* Compares segment s as loaded in mm with the file: its bytes, then zeros up to memsz. */
static void check_contents(struct mm *mm, const char *which, const uint8_t *data,
			   const struct elf_segment *s, unsigned char *buf)
{
	size_t n = (size_t)MIN(s->memsz, VERIFY_MAX), file = (size_t)MIN(s->filesz, n);
	peek(mm, s->vaddr, buf, n);
	FUZZ_CHECK(!memcmp(buf, data + s->offset, file), "%s: segment at %#llx differs from the file",
		   which, (unsigned long long)s->vaddr);
	/* Compared in one call: a loop here would be instrumented, byte by byte. */
	static const unsigned char zeros[VERIFY_MAX];
	if (n > file && memcmp(buf + file, zeros, n - file)) {
		size_t i = file;
		while (!buf[i])
			i++;
		fuzz_fail(__FILE__, __LINE__, "bss is zero", "%s: bss byte %#llx is not zero", which,
			  (unsigned long long)(s->vaddr + i));
	}
}

/* Who may do what with the segment's first byte, as user-mode accesses would. */
struct access {
	bool read, write;
};

static struct access probe(struct mm *mm, uint64_t va)
{
	unsigned char c;
	struct access a = {copy_in(mm, &c, va, 1) == 0, false};
	if (a.read)
		a.write = copy_out(mm, va, &c, 1) == 0;
	return a;
}

static void check_loads(const uint8_t *data, size_t size, const struct elf_info *info,
			struct mm *user)
{
	struct mm direct, first, cached;
	const struct elf_source from_user = {.mm = user, .uva = IMAGE_VA, .len = size,
					     .cache_id = CACHE_ID};
	FUZZ_CHECK(mm_create(&direct) == 0 && mm_create(&first) == 0 && mm_create(&cached) == 0,
		   "mm_create failed");
	int e1 = elf_load(&direct, data, info);
	int e2 = elf_load_source(&first, &from_user, info);
	int e3 = elf_load_source(&cached, &from_user, info);
	FUZZ_CHECK(e1 == 0 && e2 == 0 && e3 == 0, "loading failed: %d %d %d", e1, e2, e3);
	unsigned char *buf = malloc(VERIFY_MAX), *other = malloc(VERIFY_MAX);
	for (int i = 0; i < info->nsegments; i++) {
		const struct elf_segment *s = &info->segments[i];
		check_contents(&direct, "from kernel memory", data, s, buf);
		check_contents(&first, "from user memory", data, s, buf);
		check_contents(&cached, "from the image cache", data, s, buf);
		struct access a = probe(&direct, s->vaddr), b = probe(&first, s->vaddr),
			      c = probe(&cached, s->vaddr);
		FUZZ_CHECK(a.read == (s->prot != PROT_NONE) && a.write == !!(s->prot & PROT_WRITE),
			   "segment %d (prot %#x): user may read %d, write %d", i, s->prot, a.read,
			   a.write);
		FUZZ_CHECK(a.read == b.read && a.write == b.write && a.read == c.read &&
				   a.write == c.write,
			   "segment %d (prot %#x): user access read/write %d/%d loaded directly, %d/%d "
			   "loaded first into the image cache, %d/%d mapped from it",
			   i, s->prot, a.read, a.write, b.read, b.write, c.read, c.write);
		if (s->prot & PROT_WRITE)
			continue;
		/* The cached copy made writable by its owner changes for that owner alone. */
		uint64_t page = PAGE_DOWN(s->vaddr);
		size_t n = (size_t)MIN(PAGE_UP(s->vaddr + s->memsz) - page, VERIFY_MAX);
		FUZZ_CHECK(mm_protect(&cached, page, PAGE_SIZE, PROT_READ | PROT_WRITE) == 0,
			   "mprotect of a loaded segment failed");
		unsigned char c0;
		peek(&first, page, &c0, 1);
		unsigned char changed = (unsigned char)~c0;
		FUZZ_CHECK(copy_out(&cached, page, &changed, 1) == 0, "a write after mprotect failed");
		peek(&cached, page, buf, 1);
		FUZZ_CHECK(buf[0] == changed, "the write did not land");
		peek(&first, page, buf, n);
		peek(&direct, page, other, n);
		FUZZ_CHECK(!memcmp(buf, other, n), "a write to a shared read-only segment reached "
						   "another memory");
	}
	free(buf);
	free(other);
	mm_destroy(&direct);
	mm_destroy(&first);
	mm_destroy(&cached);
}

struct input {
	const uint8_t *data;
	size_t size;
};

static void run(void *arg)
{
	const struct input *in = arg;
	struct elf_info info, uinfo;
	int r = elf_parse(in->data, in->size, &info);
	FUZZ_CHECK(r >= 0 && r < ELF_ERR_COUNT, "elf_parse returned %d", r);
	FUZZ_CHECK(strcmp(elf_error_name(r), "ELF_ERR_UNKNOWN"), "error %d has no name", r);
	struct mm user;
	make_user_image(&user, in->data, in->size);
	const struct elf_source src = {.mm = &user, .uva = IMAGE_VA, .len = in->size};
	int ur = elf_parse_source(&src, &uinfo);
	FUZZ_CHECK(ur == r, "from user memory: %s, from kernel memory: %s", elf_error_name(ur),
		   elf_error_name(r));
	if (r == ELF_OK) {
		FUZZ_CHECK(same_info(&info, &uinfo), "user and kernel memory parse differently");
		check_info(&info, in->size);
		check_loads(in->data, in->size, &info, &user);
	}
	mm_destroy(&user);
	imgcache_clear();
	FUZZ_CHECK(frame_free_count() == baseline_frames, "%zu frames free, %zu before",
		   frame_free_count(), baseline_frames);
	FUZZ_CHECK(kmalloc_live() == baseline_objects, "%zu kernel objects live, %zu before",
		   kmalloc_live(), baseline_objects);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, so that reading one byte too far trips AddressSanitizer. */
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct input in = {copy, size};
	baseline_frames = frame_free_count();
	baseline_objects = kmalloc_live();
	fuzz_run_kernel(run, &in);
	free(copy);
	return 0;
}
