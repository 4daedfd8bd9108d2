/* x86_64 4-level paging: tables built in physical memory, walked through the direct map. */
#include <kernel/frame.h>
#include <kernel/klib.h>
#include <kernel/plat.h>
#include <kernel/vm.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_COW 0x200ull    /* software bit 9 */
#define PTE_DEVICE 0x400ull /* software bit 10: VM_DEVICE */
#define PTE_MMIO 0x800ull   /* software bit 11: VM_MMIO */
/* What a change of protection keeps of a page. */
#define PTE_KEEP (PTE_PWT | PTE_PCD | PTE_DEVICE | PTE_MMIO)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define LEVELS 4
#define ENTRIES 512
#define USER_PML4_ENTRIES 256

static uint64_t kernel_root;

static uint64_t *table(uint64_t pa)
{
	return plat_phys(pa);
}

static unsigned index_at(uint64_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (ENTRIES - 1);
}

static uint64_t pte_make(uint64_t pa, unsigned flags)
{
	uint64_t pte = pa | PTE_P;
	if ((flags & (VM_EXEC | VM_USER)) == (VM_EXEC | VM_USER) && !(flags & VM_MMIO))
		frame_mark_code(pa);
	if (flags & VM_DEVICE)
		pte |= PTE_DEVICE;
	if (flags & VM_MMIO)
		pte |= PTE_MMIO;
	if (flags & (VM_NOCACHE | VM_MMIO))
		pte |= PTE_PCD | PTE_PWT;
	if (flags & VM_WRITE)
		pte |= PTE_W;
	if ((flags & VM_USER) && !(flags & VM_NOACCESS))
		pte |= PTE_U;
	if (flags & VM_COW)
		pte |= PTE_COW;
	if (!(flags & VM_EXEC))
		pte |= PTE_NX;
	return pte;
}

static unsigned pte_flags(uint64_t pte)
{
	unsigned f = 0;
	if (pte & PTE_W)
		f |= VM_WRITE;
	if (pte & PTE_U)
		f |= VM_USER;
	else
		f |= VM_NOACCESS; /* the only supervisor pages of the user half */
	if (pte & PTE_COW)
		f |= VM_COW;
	if (!(pte & PTE_NX))
		f |= VM_EXEC;
	if (pte & PTE_DEVICE)
		f |= VM_DEVICE;
	if (pte & PTE_MMIO)
		f |= VM_MMIO;
	if (pte & PTE_PCD)
		f |= VM_NOCACHE;
	return f;
}

/* A leaf entry goes: the frame loses the mapping's reference (device registers have none). */
static void drop_page(uint64_t pte)
{
	if (!(pte & PTE_MMIO))
		frame_put(pte & PTE_ADDR);
}

/* The flags a page keeps across a change of protection, as VM_* bits. */
static unsigned kept_flags(uint64_t pte)
{
	return pte_flags(pte & PTE_KEEP) & (VM_DEVICE | VM_MMIO | VM_NOCACHE);
}

/* The leaf entry for va, creating missing tables when create is set; NULL if absent or OOM. */
static uint64_t *walk(uint64_t root, uint64_t va, bool create, size_t *tables)
{
	uint64_t *t = table(root);
	bool user = va < KERNEL_HALF;
	for (int level = LEVELS - 1; level > 0; level--) {
		uint64_t *e = &t[index_at(va, level)];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t pa = frame_alloc();
			if (!pa)
				return NULL;
			*e = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
			if (tables)
				(*tables)++;
		}
		t = table(*e & PTE_ADDR);
	}
	return &t[index_at(va, 0)];
}

static bool user_page(uint64_t va)
{
	return va < USER_END && (va & PAGE_MASK) == 0;
}

int vm_init(void)
{
	kernel_root = frame_alloc();
	return kernel_root ? 0 : -ENOMEM;
}

/* The first index from i below n whose entry is present, else n. Eight entries are looked
 * at together: page tables are mostly empty, and every process's exit and fork walk them. */
KSCAN static unsigned next_present(const uint64_t *t, unsigned i, unsigned n)
{
	for (; i < n && (i & 7); i++)
		if (t[i] & PTE_P)
			return i;
	for (; i + 8 <= n; i += 8)
		if ((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] |
		     t[i + 7]) & PTE_P)
			break;
	for (; i < n; i++)
		if (t[i] & PTE_P)
			return i;
	return n;
}

static void free_tables(uint64_t pa, int level, bool drop_frames)
{
	uint64_t *t = table(pa);
	for (unsigned i = 0; (i = next_present(t, i, ENTRIES)) < ENTRIES; i++) {
		if (level > 0)
			free_tables(t[i] & PTE_ADDR, level - 1, drop_frames);
		else if (drop_frames)
			drop_page(t[i]);
	}
	frame_put(pa);
}

void vm_fini(void)
{
	uint64_t *t = table(kernel_root);
	for (unsigned i = USER_PML4_ENTRIES; i < ENTRIES; i++)
		if (t[i] & PTE_P)
			free_tables(t[i] & PTE_ADDR, LEVELS - 2, false);
	frame_put(kernel_root);
	kernel_root = 0;
}

int vm_kernel_map(uint64_t va, uint64_t pa, unsigned flags)
{
	if (va < KERNEL_HALF || (va & PAGE_MASK) || (pa & PAGE_MASK))
		return -EINVAL;
	uint64_t *e = walk(kernel_root, va, true, NULL);
	if (!e)
		return -ENOMEM;
	*e = pte_make(pa, flags & ~VM_USER);
	return 0;
}

uint64_t vm_kernel_root(void)
{
	return kernel_root;
}

int vm_create(struct addrspace *as)
{
	uint64_t root = frame_alloc();
	if (!root)
		return -ENOMEM;
	uint64_t *dst = table(root), *src = table(kernel_root);
	kmemcpy(dst + USER_PML4_ENTRIES, src + USER_PML4_ENTRIES,
		(ENTRIES - USER_PML4_ENTRIES) * sizeof(*dst));
	as->root = root;
	as->tables = 0;
	return 0;
}

void vm_destroy(struct addrspace *as)
{
	if (!as->root)
		return;
	/* The root frame may come back as another address space's root: nothing cached may
	 * survive it. */
	plat_tlb_flush(as->root, ~0ull);
	uint64_t *t = table(as->root);
	for (unsigned i = 0; (i = next_present(t, i, USER_PML4_ENTRIES)) < USER_PML4_ENTRIES; i++)
		free_tables(t[i] & PTE_ADDR, LEVELS - 2, true);
	frame_put(as->root);
	as->root = 0;
	as->tables = 0;
}

int vm_map(struct addrspace *as, uint64_t va, uint64_t pa, unsigned flags)
{
	if (!user_page(va) || (pa & PAGE_MASK))
		return -EINVAL;
	uint64_t *e = walk(as->root, va, true, &as->tables);
	if (!e)
		return -ENOMEM;
	if (*e & PTE_P)
		return -EEXIST;
	*e = pte_make(pa, flags | VM_USER);
	return 0;
}

int vm_unmap(struct addrspace *as, uint64_t va)
{
	uint64_t *e = user_page(va) ? walk(as->root, va, false, NULL) : NULL;
	if (!e || !(*e & PTE_P))
		return -ENOENT;
	uint64_t old = *e;
	*e = 0;
	plat_tlb_flush(as->root, va);
	drop_page(old);
	return 0;
}

int vm_protect(struct addrspace *as, uint64_t va, unsigned flags)
{
	uint64_t *e = user_page(va) ? walk(as->root, va, false, NULL) : NULL;
	if (!e || !(*e & PTE_P))
		return -ENOENT;
	*e = pte_make(*e & PTE_ADDR, flags | kept_flags(*e) | VM_USER);
	plat_tlb_flush(as->root, va);
	return 0;
}

int vm_translate(const struct addrspace *as, uint64_t va, uint64_t *pa, unsigned *flags)
{
	if (va >= USER_END)
		return -EFAULT;
	uint64_t *e = walk(as->root, PAGE_DOWN(va), false, NULL);
	if (!e || !(*e & PTE_P))
		return -EFAULT;
	*pa = *e & PTE_ADDR;
	*flags = pte_flags(*e);
	return 0;
}

static uint64_t span(int level);

static bool find_page(uint64_t tpa, int level, uint64_t base, vm_page_fn fn, void *arg)
{
	const uint64_t *t = table(tpa);
	unsigned n = level == LEVELS - 1 ? USER_PML4_ENTRIES : ENTRIES;
	for (unsigned i = 0; (i = next_present(t, i, n)) < n; i++) {
		uint64_t va = base + span(level) * i;
		if (level > 0 ? find_page(t[i] & PTE_ADDR, level - 1, va, fn, arg)
			      : fn(va, t[i] & PTE_ADDR, pte_flags(t[i]), arg))
			return true;
	}
	return false;
}

bool vm_find_page(const struct addrspace *as, vm_page_fn fn, void *arg)
{
	return find_page(as->root, LEVELS - 1, 0, fn, arg);
}

int vm_remap(struct addrspace *as, uint64_t va, uint64_t pa, unsigned flags)
{
	uint64_t *e = user_page(va) ? walk(as->root, va, false, NULL) : NULL;
	if (!e || !(*e & PTE_P))
		return -ENOENT;
	uint64_t old = *e;
	*e = pte_make(pa, flags | VM_USER);
	plat_tlb_flush(as->root, va);
	drop_page(old);
	return 0;
}

/* Size of the region one entry covers at level (0 = a page). */
static uint64_t span(int level)
{
	return PAGE_SIZE << (9 * level);
}

enum range_op { RANGE_UNMAP, RANGE_PROTECT };

static void range_apply(uint64_t tpa, int level, uint64_t base, uint64_t start, uint64_t end,
			enum range_op op, unsigned flags)
{
	uint64_t *t = table(tpa), size = span(level);
	/* Only the entries that overlap [start, end): a small range in a big table costs little. */
	unsigned first = start > base ? (unsigned)((start - base) / size) : 0;
	unsigned last = (unsigned)MIN((end - base + size - 1) / size, (uint64_t)ENTRIES);
	for (unsigned i = first; i < last; i++) {
		uint64_t lo = base + size * i;
		if (!(t[i] & PTE_P))
			continue;
		if (level > 0) {
			range_apply(t[i] & PTE_ADDR, level - 1, lo, start, end, op, flags);
			continue;
		}
		if (op == RANGE_UNMAP) {
			drop_page(t[i]);
			t[i] = 0;
		} else {
			unsigned f = flags | kept_flags(t[i]);
			if (t[i] & PTE_COW)
				f = (f | VM_COW) & ~VM_WRITE;
			t[i] = pte_make(t[i] & PTE_ADDR, f | VM_USER);
		}
	}
}

void vm_unmap_range(struct addrspace *as, uint64_t start, uint64_t end)
{
	if (end > USER_END)
		end = USER_END;
	if (start >= end)
		return;
	range_apply(as->root, LEVELS - 1, 0, start, end, RANGE_UNMAP, 0);
	plat_tlb_flush(as->root, ~0ull);
}

void vm_protect_range(struct addrspace *as, uint64_t start, uint64_t end, unsigned flags)
{
	if (end > USER_END)
		end = USER_END;
	if (start >= end)
		return;
	range_apply(as->root, LEVELS - 1, 0, start, end, RANGE_PROTECT, flags);
	plat_tlb_flush(as->root, ~0ull);
}

/* Copies the table at src_pa (at level) into a fresh table *dst_pa, sharing every frame. */
static int clone_level(uint64_t src_pa, uint64_t *dst_pa, int level, size_t *tables)
{
	uint64_t copy = frame_alloc();
	if (!copy)
		return -ENOMEM;
	(*tables)++;
	*dst_pa = copy;
	uint64_t *src = table(src_pa), *dst = table(copy);
	for (unsigned i = 0; (i = next_present(src, i, ENTRIES)) < ENTRIES; i++) {
		if (level > 0) {
			uint64_t child = 0;
			int err = clone_level(src[i] & PTE_ADDR, &child, level - 1, tables);
			if (child) /* linked even when partial, so vm_destroy finds it */
				dst[i] = child | (src[i] & ~PTE_ADDR);
			if (err)
				return err;
			continue;
		}
		if (src[i] & PTE_DEVICE) /* a device's registers or DMA memory stay the parent's */
			continue;
		/* Every page becomes copy-on-write in both, read-only ones too: mprotect may make
		 * them writable later, and the copy must happen then. */
		src[i] = (src[i] & ~PTE_W) | PTE_COW;
		frame_get(src[i] & PTE_ADDR);
		dst[i] = src[i];
	}
	return 0;
}

int vm_clone_cow(struct addrspace *dst, struct addrspace *src)
{
	int err = vm_create(dst);
	if (err)
		return err;
	uint64_t *s = table(src->root), *d = table(dst->root);
	for (unsigned i = 0; i < USER_PML4_ENTRIES && !err; i++) {
		if (!(s[i] & PTE_P))
			continue;
		uint64_t child = 0;
		err = clone_level(s[i] & PTE_ADDR, &child, LEVELS - 2, &dst->tables);
		if (child)
			d[i] = child | (s[i] & ~PTE_ADDR);
	}
	plat_tlb_flush(src->root, ~0ull);
	if (err)
		vm_destroy(dst);
	return err;
}
