/* Process memory: regions, demand paging, copy-on-write breaking, and user-memory access. */
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

int mm_clone(struct mm *dst, struct mm *src)
{
	kmemset(dst, 0, sizeof(*dst));
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_top = src->mmap_top;
	struct vma **tail = &dst->vmas;
	for (struct vma *v = src->vmas; v; v = v->next) {
		struct vma *copy = kmalloc(sizeof(*copy));
		if (!copy) {
			mm_destroy(dst);
			return -ENOMEM;
		}
		*copy = (struct vma){v->start, v->end, v->prot, NULL};
		*tail = copy;
		tail = &copy->next;
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
	for (struct vma *v = mm->vmas; v && v->start <= va; v = v->next)
		if (va < v->end)
			return v;
	return NULL;
}

bool mm_overlaps(const struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	for (struct vma *v = mm->vmas; v && v->start < end; v = v->next)
		if (v->end > start)
			return true;
	return false;
}

int mm_unmap(struct mm *mm, uint64_t start, uint64_t len)
{
	if (!range_ok(start, len))
		return -EINVAL;
	uint64_t end = start + PAGE_UP(len);
	if (end > USER_END || end < start)
		end = USER_END;
	struct vma **link = &mm->vmas;
	while (*link) {
		struct vma *v = *link;
		if (v->end <= start) {
			link = &v->next;
			continue;
		}
		if (v->start >= end)
			break;
		if (v->start < start && v->end > end) { /* a hole in the middle: split */
			struct vma *tail = kmalloc(sizeof(*tail));
			if (!tail)
				return -ENOMEM;
			*tail = (struct vma){end, v->end, v->prot, v->next};
			v->end = start;
			v->next = tail;
			break;
		}
		if (v->start < start) {
			v->end = start;
			link = &v->next;
		} else if (v->end > end) {
			v->start = end;
			break;
		} else {
			*link = v->next;
			kfree(v);
		}
	}
	vm_unmap_range(&mm->as, start, end);
	return 0;
}

int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned prot)
{
	if (!range_ok(start, len))
		return -EINVAL;
	len = PAGE_UP(len);
	if (len > USER_END - start)
		return -EINVAL;
	struct vma *v = kmalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	int err = mm_unmap(mm, start, len);
	if (err) {
		kfree(v);
		return err;
	}
	*v = (struct vma){start, start + len, prot, NULL};
	struct vma **link = &mm->vmas;
	while (*link && (*link)->start < start)
		link = &(*link)->next;
	v->next = *link;
	*link = v;
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
	uint64_t at = start;
	for (struct vma *v = mm->vmas; v && at < end; v = v->next)
		if (v->start <= at && v->end > at)
			at = v->end;
	if (at < end)
		return -ENOMEM;
	/* Split the regions at the range's edges, then relabel the ones inside. */
	for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
		if (v->end <= start)
			continue;
		uint64_t cut = v->start < start ? start : v->end > end ? end : 0;
		if (cut) {
			struct vma *tail = kmalloc(sizeof(*tail));
			if (!tail)
				return -ENOMEM;
			*tail = (struct vma){cut, v->end, v->prot, v->next};
			v->end = cut;
			v->next = tail;
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
	uint64_t cand = mm->mmap_top - len;
	for (;;) {
		if (cand < floor)
			return 0;
		struct vma *hit = NULL;
		for (struct vma *v = mm->vmas; v && v->start < cand + len; v = v->next)
			if (v->end > cand)
				hit = v;
		if (!hit)
			return cand;
		if (hit->start < len)
			return 0;
		cand = hit->start - len;
	}
}

/* Gives the process its own copy of the copy-on-write page at va. */
static int break_cow(struct mm *mm, uint64_t va, uint64_t pa, unsigned flags)
{
	flags = (flags & ~VM_COW) | VM_WRITE;
	if (frame_refcount(pa) == 1)
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
	if (access_known && (access & PF_WRITE) && !(v->prot & PROT_WRITE))
		return -EFAULT;
	if (access_known && (access & PF_FETCH) && !(v->prot & PROT_EXEC))
		return -EFAULT;
	uint64_t page = PAGE_DOWN(va), pa;
	unsigned flags;
	if (vm_translate(&mm->as, page, &pa, &flags) < 0) {
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

int mm_poke(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	const char *s = src;
	while (len) {
		uint64_t page = PAGE_DOWN(va), pa;
		unsigned flags;
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
		if (vm_translate(&mm->as, uva, &pa, &flags) < 0)
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
	*src += n;
	return 0;
}

int copy_in(struct mm *mm, void *dst, uint64_t uva, size_t len)
{
	int err = uaccess_prepare(mm, uva, len, false);
	if (err)
		return err;
	char *d = dst;
	return uaccess_each(mm, uva, len, piece_in, &d);
}

int copy_out(struct mm *mm, uint64_t uva, const void *src, size_t len)
{
	int err = uaccess_prepare(mm, uva, len, true);
	if (err)
		return err;
	const char *s = src;
	return uaccess_each(mm, uva, len, piece_out, &s);
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
