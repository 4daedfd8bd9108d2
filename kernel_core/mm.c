/* Process memory: regions, demand paging, copy-on-write breaking, and user-memory access. */
#include <kernel/core.h>
#include <kernel/frame.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/plat.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

/* PROT_NONE pages stay mapped (their contents must survive) but out of the user's reach. */
static unsigned vm_flags_of(unsigned prot)
{
	unsigned f = VM_USER | (prot == PROT_NONE ? VM_NOACCESS : 0);
	if (prot & PROT_WRITE)
		f |= VM_WRITE;
	if (prot & PROT_EXEC)
		f |= VM_EXEC;
	return f;
}

static bool range_ok(uint64_t start, uint64_t len)
{
	return len && !(start & PAGE_MASK) && start >= USER_MIN && start < USER_END &&
	       len <= USER_END - start;
}

int mm_create(struct mm *mm)
{
	kmemset(mm, 0, sizeof(*mm));
	mm->mmap_top = MMAP_TOP;
	return vm_create(&mm->as);
}

/*
 * Regions are kept twice: in a list sorted by address, to walk a range in order, and in an AVL
 * tree keyed by start, to find the region at an address in O(log n). Thousands of mappings are
 * ordinary (allocators, JITs); with the list alone every mmap cost O(n^2). Each node also knows
 * the largest free gap below a region of its subtree, so that mmap finds room in O(log n).
 */
static int height(const struct vma *v)
{
	return v ? v->height : 0;
}

/* The free space between v and the region before it. */
static uint64_t gap_below(const struct vma *v)
{
	return v->start - (v->prev ? v->prev->end : USER_MIN);
}

static uint64_t max_gap(const struct vma *v)
{
	return v ? v->max_gap : 0;
}

static void fix_height(struct vma *v)
{
	int l = height(v->left), r = height(v->right);
	v->height = 1 + (l > r ? l : r);
	uint64_t g = MAX(gap_below(v), MAX(max_gap(v->left), max_gap(v->right)));
	v->max_gap = g;
}

/* v's gap changed: fixes the nodes from the root down to v. */
static void tree_refresh(struct vma *t, const struct vma *v)
{
	if (t != v)
		tree_refresh(v->start < t->start ? t->left : t->right, v);
	fix_height(t);
}

static struct vma *rotate_right(struct vma *v)
{
	struct vma *l = v->left;
	v->left = l->right;
	l->right = v;
	fix_height(v);
	fix_height(l);
	return l;
}

static struct vma *rotate_left(struct vma *v)
{
	struct vma *r = v->right;
	v->right = r->left;
	r->left = v;
	fix_height(v);
	fix_height(r);
	return r;
}

static struct vma *rebalance(struct vma *v)
{
	fix_height(v);
	int balance = height(v->left) - height(v->right);
	if (balance > 1) {
		if (height(v->left->left) < height(v->left->right))
			v->left = rotate_left(v->left);
		return rotate_right(v);
	}
	if (balance < -1) {
		if (height(v->right->right) < height(v->right->left))
			v->right = rotate_right(v->right);
		return rotate_left(v);
	}
	return v;
}

static struct vma *tree_insert(struct vma *t, struct vma *v)
{
	if (!t)
		return v;
	if (v->start < t->start)
		t->left = tree_insert(t->left, v);
	else
		t->right = tree_insert(t->right, v);
	return rebalance(t);
}

/* Takes the leftmost node out of t into *min; returns what is left of t. */
static struct vma *tree_take_min(struct vma *t, struct vma **min)
{
	if (!t->left) {
		*min = t;
		return t->right;
	}
	t->left = tree_take_min(t->left, min);
	return rebalance(t);
}

static struct vma *tree_remove(struct vma *t, const struct vma *v)
{
	if (t == v) {
		if (!t->right)
			return t->left;
		struct vma *min;
		struct vma *right = tree_take_min(t->right, &min);
		min->left = t->left;
		min->right = right;
		return rebalance(min);
	}
	if (v->start < t->start)
		t->left = tree_remove(t->left, v);
	else
		t->right = tree_remove(t->right, v);
	return rebalance(t);
}

/* The last region starting at or below va, or NULL. */
static struct vma *floor_vma(const struct mm *mm, uint64_t va)
{
	struct vma *best = NULL;
	for (struct vma *t = mm->tree; t;) {
		if (t->start <= va) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

static struct vma *vma_new(uint64_t start, uint64_t end, unsigned prot)
{
	struct vma *v = kmalloc(sizeof(*v));
	if (v)
		*v = (struct vma){.start = start, .end = end, .prot = prot, .height = 1};
	return v;
}

/* Puts v, which overlaps no region, after prev (NULL: first) in the list, and in the tree. */
static void vma_link(struct mm *mm, struct vma *prev, struct vma *v)
{
	v->prev = prev;
	v->next = prev ? prev->next : mm->vmas;
	if (v->next)
		v->next->prev = v;
	if (prev)
		prev->next = v;
	else
		mm->vmas = v;
	v->left = v->right = NULL;
	fix_height(v);
	mm->tree = tree_insert(mm->tree, v);
	if (v->next)
		tree_refresh(mm->tree, v->next);
}

static void vma_free(struct mm *mm, struct vma *v)
{
	mm->tree = tree_remove(mm->tree, v);
	if (v->prev)
		v->prev->next = v->next;
	else
		mm->vmas = v->next;
	if (v->next) {
		v->next->prev = v->prev;
		tree_refresh(mm->tree, v->next);
	}
	kfree(v);
}

/* The highest region starting at or below limit with a gap of at least len below it. */
static struct vma *highest_gap(struct vma *t, uint64_t limit, uint64_t len)
{
	if (!t || t->max_gap < len)
		return NULL;
	if (t->start > limit)
		return highest_gap(t->left, limit, len);
	struct vma *v = highest_gap(t->right, limit, len);
	if (v)
		return v;
	return gap_below(t) >= len ? t : highest_gap(t->left, limit, len);
}

int mm_clone(struct mm *dst, struct mm *src)
{
	kmemset(dst, 0, sizeof(*dst));
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_top = src->mmap_top;
	struct vma *tail = NULL;
	for (struct vma *v = src->vmas; v; v = v->next) {
		if (v->device)
			continue;
		struct vma *copy = vma_new(v->start, v->end, v->prot);
		if (!copy) {
			mm_destroy(dst);
			return -ENOMEM;
		}
		vma_link(dst, tail, copy);
		tail = copy;
	}
	int err = vm_clone_cow(&dst->as, &src->as);
	if (err)
		mm_destroy(dst);
	return err;
}

void mm_destroy(struct mm *mm)
{
	while (mm->vmas) {
		struct vma *v = mm->vmas;
		mm->vmas = v->next;
		kfree(v);
	}
	mm->tree = NULL;
	vm_destroy(&mm->as);
}

struct mm *mm_new(void)
{
	struct mm *mm = kmalloc(sizeof(*mm));
	if (mm && mm_create(mm)) {
		kfree(mm);
		return NULL;
	}
	if (mm)
		mm->refs = 1;
	return mm;
}

struct mm *mm_new_clone(struct mm *src)
{
	struct mm *mm = kmalloc(sizeof(*mm));
	if (mm && mm_clone(mm, src)) {
		kfree(mm);
		return NULL;
	}
	if (mm)
		mm->refs = 1;
	return mm;
}

struct mm *mm_get(struct mm *mm)
{
	mm->refs++;
	return mm;
}

void mm_put(struct mm *mm)
{
	if (!mm || --mm->refs)
		return;
	mm_destroy(mm);
	kfree(mm);
}

struct vma *mm_find(const struct mm *mm, uint64_t va)
{
	struct vma *v = floor_vma(mm, va);
	return v && va < v->end ? v : NULL;
}

struct vma *mm_next(const struct mm *mm, uint64_t va)
{
	struct vma *v = floor_vma(mm, va);
	return v && va < v->end ? v : v ? v->next : mm->vmas;
}

bool mm_covers(const struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	for (struct vma *v = mm_find(mm, start); v && v->start <= at && at < end; v = v->next)
		at = v->end;
	return at >= end;
}

bool mm_overlaps(const struct mm *mm, uint64_t start, uint64_t len)
{
	/* Of the regions starting below the end, the last one reaches highest. */
	struct vma *v = start + len ? floor_vma(mm, start + len - 1) : NULL;
	return v && v->end > start;
}

int mm_unmap(struct mm *mm, uint64_t start, uint64_t len)
{
	if (!range_ok(start, len))
		return -EINVAL;
	uint64_t end = start + PAGE_UP(len);
	if (end > USER_END || end < start)
		end = USER_END;
	struct vma *v = floor_vma(mm, start);
	if (!v || v->end <= start)
		v = v ? v->next : mm->vmas;
	while (v && v->start < end) {
		struct vma *next = v->next;
		if (v->start < start && v->end > end) { /* a hole in the middle: split */
			struct vma *tail = vma_new(end, v->end, v->prot);
			if (!tail)
				return -ENOMEM;
			tail->device = v->device;
			v->end = start;
			vma_link(mm, v, tail);
			break;
		}
		if (v->start < start) {
			v->end = start;
			if (next)
				tree_refresh(mm->tree, next);
		} else if (v->end > end) {
			v->start = end; /* still between the same neighbours: the tree stays sorted */
			tree_refresh(mm->tree, v);
			break;
		} else {
			vma_free(mm, v);
		}
		v = next;
	}
	vm_unmap_range(&mm->as, start, end);
	return 0;
}

int mm_map_device(struct mm *mm, uint64_t start, uint64_t len, unsigned prot)
{
	int err = mm_map(mm, start, len, prot);
	if (!err)
		mm_find(mm, start)->device = true;
	return err;
}

int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned prot)
{
	if (!range_ok(start, len))
		return -EINVAL;
	len = PAGE_UP(len);
	if (len > USER_END - start)
		return -EINVAL;
	struct vma *v = vma_new(start, start + len, prot);
	if (!v)
		return -ENOMEM;
	int err = mm_unmap(mm, start, len);
	if (err) {
		kfree(v);
		return err;
	}
	vma_link(mm, floor_vma(mm, start), v);
	return 0;
}

int mm_protect(struct mm *mm, uint64_t start, uint64_t len, unsigned prot)
{
	if (!range_ok(start, len))
		return -EINVAL;
	uint64_t end = start + PAGE_UP(len);
	if (end > USER_END || end < start)
		return -ENOMEM;
	/* All of the range must be mapped, with no gap. */
	struct vma *first = mm_find(mm, start);
	uint64_t at = start;
	for (struct vma *v = first; v && v->start <= at && at < end; v = v->next)
		at = v->end;
	if (at < end)
		return -ENOMEM;
	/* Split the regions at the range's edges, then relabel the ones inside. */
	for (struct vma *v = first; v && v->start < end; v = v->next) {
		uint64_t cut = v->start < start ? start : v->end > end ? end : 0;
		if (cut) {
			struct vma *tail = vma_new(cut, v->end, v->prot);
			if (!tail)
				return -ENOMEM;
			tail->device = v->device;
			v->end = cut;
			vma_link(mm, v, tail);
			if (v->start < start)
				continue;
		}
		v->prot = prot;
	}
	vm_protect_range(&mm->as, start, end, vm_flags_of(prot));
	return 0;
}

uint64_t mm_find_free(const struct mm *mm, uint64_t len)
{
	len = PAGE_UP(len);
	if (!len || len > mm->mmap_top)
		return 0;
	uint64_t floor = PAGE_UP(mm->brk) > USER_MIN ? PAGE_UP(mm->brk) : USER_MIN;
	/* Right below the top, else below the highest region under it with room beneath. */
	struct vma *top = floor_vma(mm, mm->mmap_top - 1);
	uint64_t low = top ? top->end : USER_MIN, cand;
	if (low < mm->mmap_top && mm->mmap_top - low >= len) {
		cand = mm->mmap_top - len;
	} else {
		struct vma *v = top ? highest_gap(mm->tree, top->start, len) : NULL;
		cand = v ? v->start - len : 0;
	}
	return cand >= floor ? cand : 0;
}

/* Gives the process its own copy of the copy-on-write page at va. */
static int break_cow(struct mm *mm, uint64_t va, uint64_t pa, unsigned flags)
{
	flags = (flags & ~VM_COW) | VM_WRITE;
	if (pa != frame_zero() && frame_refcount(pa) == 1)
		return vm_protect(&mm->as, va, flags);
	uint64_t copy = frame_alloc();
	if (!copy)
		return -ENOMEM;
	kmemcpy(plat_phys(copy), plat_phys(pa), PAGE_SIZE);
	return vm_remap(&mm->as, va, copy, flags);
}

int mm_fault(struct mm *mm, uint64_t va, unsigned access, bool access_known)
{
	struct vma *v = mm_find(mm, va);
	if (!v || v->prot == PROT_NONE)
		return -EFAULT;
	if (v->device) /* its pages are all there, or were taken away with the device */
		return -EFAULT;
	if (access_known && (access & PF_WRITE) && !(v->prot & PROT_WRITE))
		return -EFAULT;
	if (access_known && (access & PF_FETCH) && !(v->prot & PROT_EXEC))
		return -EFAULT;
	uint64_t page = PAGE_DOWN(va), pa;
	unsigned flags;
	if (vm_translate(&mm->as, page, &pa, &flags) < 0) {
		/* Untouched memory that is only read needs no frame of its own: it shows the zero
		 * frame, copy-on-write even in a read-only region (mprotect may allow writes). */
		if (access_known && !(access & PF_WRITE))
			return vm_map(&mm->as, page, frame_zero(),
				      (vm_flags_of(v->prot) & ~VM_WRITE) | VM_COW);
		uint64_t frame = frame_alloc();
		if (!frame)
			return -ENOMEM;
		int err = vm_map(&mm->as, page, frame, vm_flags_of(v->prot));
		if (err)
			frame_put(frame);
		return err;
	}
	bool may_be_write = !access_known || (access & PF_WRITE);
	if ((flags & VM_COW) && (v->prot & PROT_WRITE) && may_be_write)
		return break_cow(mm, page, pa, flags);
	return -EFAULT;
}

/* The kernel wrote into the user frame holding p: translated code there must not outlive it. */
static void user_frame_written(void *p)
{
	uint64_t pa = PAGE_DOWN(plat_pa(p));
	if (frame_held_code(pa))
		plat_code_frame_written(pa);
}

int mm_poke(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	const char *s = src;
	while (len) {
		uint64_t page = PAGE_DOWN(va), pa;
		unsigned flags;
		if (vm_translate(&mm->as, page, &pa, &flags) == 0 && (flags & VM_MMIO))
			return -EFAULT;
		if (vm_translate(&mm->as, page, &pa, &flags) < 0 || (flags & VM_COW)) {
			struct vma *v = mm_find(mm, va);
			unsigned saved = v ? v->prot : 0;
			if (!v)
				return -EFAULT;
			v->prot |= PROT_WRITE;
			int err = mm_fault(mm, va, PF_WRITE, true);
			v->prot = saved;
			if (err)
				return err;
			if (vm_translate(&mm->as, page, &pa, &flags) < 0)
				return -EFAULT;
			if (!(saved & PROT_WRITE))
				vm_protect(&mm->as, page, vm_flags_of(saved));
		}
		size_t off = va & PAGE_MASK, n = MIN(len, PAGE_SIZE - off);
		kmemcpy((char *)plat_phys(pa) + off, s, n);
		user_frame_written(plat_phys(pa));
		s += n;
		va += n;
		len -= n;
	}
	return 0;
}

int uaccess_prepare(struct mm *mm, uint64_t uva, size_t len, bool write)
{
	if (len == 0)
		return 0;
	if (uva >= USER_END || len > USER_END - uva)
		return -EFAULT;
	for (uint64_t page = PAGE_DOWN(uva); page < uva + len; page += PAGE_SIZE) {
		uint64_t pa;
		unsigned flags;
		bool ok = vm_translate(&mm->as, page, &pa, &flags) == 0 && (flags & VM_USER) &&
			  (!write || (flags & VM_WRITE));
		if (ok && (flags & VM_MMIO)) /* a device's registers: the kernel does not touch */
			return -EFAULT;
		if (ok)
			continue;
		if (mm_fault(mm, page, write ? PF_WRITE : 0, true) < 0)
			return -EFAULT;
		if (vm_translate(&mm->as, page, &pa, &flags) < 0 || (write && !(flags & VM_WRITE)))
			return -EFAULT;
	}
	return 0;
}

int uaccess_each(struct mm *mm, uint64_t uva, size_t len,
		 int (*fn)(void *piece, size_t n, void *arg), void *arg)
{
	while (len) {
		uint64_t pa;
		unsigned flags;
		if (vm_translate(&mm->as, uva, &pa, &flags) < 0 || (flags & VM_MMIO))
			return -EFAULT;
		size_t off = uva & PAGE_MASK, n = MIN(len, PAGE_SIZE - off);
		int err = fn((char *)plat_phys(pa) + off, n, arg);
		if (err)
			return err;
		uva += n;
		len -= n;
	}
	return 0;
}

static int piece_in(void *piece, size_t n, void *arg)
{
	char **dst = arg;
	kmemcpy(*dst, piece, n);
	*dst += n;
	return 0;
}

static int piece_out(void *piece, size_t n, void *arg)
{
	const char **src = arg;
	kmemcpy(piece, *src, n);
	user_frame_written(piece);
	if (kernel_cfg.on_user_write)
		kernel_cfg.on_user_write(plat_pa(piece), n);
	*src += n;
	return 0;
}

int copy_in_prepared(struct mm *mm, void *dst, uint64_t uva, size_t len)
{
	char *d = dst;
	return uaccess_each(mm, uva, len, piece_in, &d);
}

int copy_out_prepared(struct mm *mm, uint64_t uva, const void *src, size_t len)
{
	const char *s = src;
	return uaccess_each(mm, uva, len, piece_out, &s);
}

int copy_in(struct mm *mm, void *dst, uint64_t uva, size_t len)
{
	int err = uaccess_prepare(mm, uva, len, false);
	return err ? err : copy_in_prepared(mm, dst, uva, len);
}

int copy_out(struct mm *mm, uint64_t uva, const void *src, size_t len)
{
	int err = uaccess_prepare(mm, uva, len, true);
	return err ? err : copy_out_prepared(mm, uva, src, len);
}

static int piece_fill(void *piece, size_t n, void *arg)
{
	void (*fill)(void *, size_t) = *(void (**)(void *, size_t))arg;
	fill(piece, n);
	user_frame_written(piece);
	if (kernel_cfg.on_user_write)
		kernel_cfg.on_user_write(plat_pa(piece), n);
	return 0;
}

int fill_out(struct mm *mm, uint64_t uva, size_t len, void (*fill)(void *piece, size_t n))
{
	int err = uaccess_prepare(mm, uva, len, true);
	return err ? err : uaccess_each(mm, uva, len, piece_fill, &fill);
}

long copy_str_in(struct mm *mm, char *dst, uint64_t uva, size_t max)
{
	size_t n = 0;
	while (n < max) {
		uint64_t at = uva + n;
		size_t chunk = MIN(max - n, PAGE_SIZE - (at & PAGE_MASK));
		if (at < uva || uaccess_prepare(mm, at, chunk, false) < 0)
			return -EFAULT;
		uint64_t pa;
		unsigned flags;
		vm_translate(&mm->as, at, &pa, &flags);
		const char *src = (const char *)plat_phys(pa) + (at & PAGE_MASK);
		for (size_t i = 0; i < chunk; i++) {
			if (dst)
				dst[n] = src[i];
			if (!src[i])
				return (long)n;
			n++;
		}
	}
	if (max && dst)
		dst[max - 1] = 0;
	return -ENAMETOOLONG;
}
