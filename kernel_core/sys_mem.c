/* Memory syscalls: brk, mmap (anonymous, and private copies of files), munmap, mprotect,
 * mremap, madvise and the calls that only ask. */
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

SYSCALL(brk)
{
	struct mm *mm = t->proc->mm;
	uint64_t want = a[0];
	if (want < mm->brk_start || want > mm->mmap_top)
		return (long)mm->brk;
	uint64_t old_end = PAGE_UP(mm->brk), new_end = PAGE_UP(want);
	if (new_end > old_end) {
		/* Linux's default overcommit refuses growth beyond all of memory at once. */
		if ((new_end - old_end) / PAGE_SIZE > frame_total_count() ||
		    mm_overlaps(mm, old_end, new_end - old_end) ||
		    mm_map(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE))
			return (long)mm->brk;
	} else if (new_end < old_end && mm_unmap(mm, new_end, old_end - new_end)) {
		return (long)mm->brk;
	}
	mm->brk = want;
	return (long)want;
}

/* A private copy of f's bytes from off in the fresh mapping [addr, addr+len), read with the
 * file's own read; the pages past the end stay zero. */
static long fill_from_file(struct thread *t, struct file *f, uint64_t addr, uint64_t len,
			   uint64_t off)
{
	uint64_t done = 0;
	while (done < len) {
		long n = f->ops->read(t, f, addr + done, len - done, off + done);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return 0;
}

SYSCALL(mmap)
{
	struct mm *mm = t->proc->mm;
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3], off = a[5];
	int64_t fd = (int64_t)(int)a[4];
	uint64_t type = flags & MAP_TYPE;
	if (off & PAGE_MASK)
		return -EINVAL; /* Linux checks the offset first, anonymous mappings too */
	prot &= PROT_ALL; /* Linux ignores the bits it does not know here (mprotect does not) */
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fd_get(t->proc->fds, fd)))
		return -EBADF;
	if (len == 0)
		return -EINVAL;
	/* Linux's order: the descriptor, the length and the place, then what the file allows. */
	/* As Linux's get_unmapped_area: a length past the address space, then a range past
	 * it (ENOMEM), then an unaligned fixed address (EINVAL). */
	if (len > TASK_END)
		return -ENOMEM;
	len = PAGE_UP(len);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr >= TASK_END || len > TASK_END - addr)
			return -ENOMEM;
		if (addr & PAGE_MASK)
			return -EINVAL;
		if (addr < USER_MIN)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && mm_overlaps(mm, addr, len))
			return -EEXIST;
	} else {
		addr &= ~(uint64_t)PAGE_MASK; /* a hint: its page, if the range is free */
		if (addr < USER_MIN || addr >= TASK_END || len > TASK_END - addr ||
		    mm_overlaps(mm, addr, len)) {
			addr = mm_find_free(mm, len);
			if (!addr)
				return -ENOMEM;
		}
	}
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (f) {
		if ((f->flags & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		if (!f->ops || !f->ops->read || !f->ops->seekable || S_ISDIR(f->ino->mode))
			return -ENODEV;
		/* Written pages are never written back: a shared writable mapping is refused. */
		if (type != MAP_PRIVATE && (prot & PROT_WRITE))
			return -ENODEV;
	} else if (type != MAP_PRIVATE) {
		return -ENODEV; /* memory shared between processes is not provided */
	}
	/* Linux's default overcommit heuristic, as brk has it: a writable private mapping larger
	 * than all of memory is refused now (malloc returns NULL), not paid for by an OOM later. */
	if ((prot & PROT_WRITE) && !(flags & MAP_NORESERVE) && len / PAGE_SIZE > frame_total_count())
		return -ENOMEM;
	int err = mm_map(mm, addr, len, f ? PROT_READ | PROT_WRITE : (unsigned)prot);
	if (err || !f)
		return err ? err : (long)addr;
	long r = fill_from_file(t, f, addr, len, off);
	if (!r && prot != (PROT_READ | PROT_WRITE))
		r = mm_protect(mm, addr, len, (unsigned)prot);
	if (r) {
		mm_unmap(mm, addr, len);
		return r;
	}
	return (long)addr;
}

SYSCALL(munmap)
{
	uint64_t addr = a[0], len = a[1];
	if ((addr & PAGE_MASK) || len == 0 || addr >= TASK_END || len > TASK_END - addr)
		return -EINVAL;
	if (addr < USER_MIN) { /* nothing is ever mapped below USER_MIN */
		if (len <= USER_MIN - addr)
			return 0;
		len -= USER_MIN - addr;
		addr = USER_MIN;
	}
	return mm_unmap(t->proc->mm, addr, len);
}

/* Whether any region in [start, start+len) is a device mapping (pci.c). */
static bool device_in(const struct mm *mm, uint64_t start, uint64_t len)
{
	for (struct vma *v = mm_next(mm, start); v && v->start < start + len; v = v->next)
		if (v->device)
			return true;
	return false;
}

SYSCALL(mprotect)
{
	uint64_t addr = a[0], len = a[1], prot = a[2];
	uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	prot &= ~grows;
	/* Linux's order: the grow bits, the address, an empty range (0 whatever prot is), an
	 * overflowing one, unknown bits (PROT_SEM is known), then the regions. */
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || (addr & PAGE_MASK))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (PAGE_UP(len) == 0 || addr + PAGE_UP(len) <= addr)
		return -ENOMEM;
	if (prot & ~(uint64_t)(PROT_ALL | PROT_SEM))
		return -EINVAL;
	prot &= PROT_ALL;
	if (addr < USER_MIN || addr >= TASK_END || len > TASK_END - addr)
		return -ENOMEM;
	if (grows) {
		/* No region grows here: EINVAL for a mapped one, as Linux for one that does not. */
		struct vma *v = mm_next(t->proc->mm, addr);
		uint64_t end = addr + PAGE_UP(len);
		if (!v || (grows == PROT_GROWSDOWN ? v->start >= end : v->start > addr))
			return -ENOMEM;
		return -EINVAL;
	}
	/* A device's memory is never code: DMA into code would leave stale translations. */
	if ((prot & PROT_EXEC) && device_in(t->proc->mm, addr, PAGE_UP(len)))
		return -EACCES;
	return mm_protect(t->proc->mm, addr, len, (unsigned)prot);
}

/* Moves the pages of [from, from+len) to [to, to+len) (a fresh region), sharing their frames. */
static int move_pages(struct mm *mm, uint64_t from, uint64_t to, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t pa;
		unsigned flags;
		if (vm_translate(&mm->as, from + off, &pa, &flags) < 0)
			continue;
		frame_get(pa);
		int err = vm_map(&mm->as, to + off, pa, flags);
		if (err) {
			frame_put(pa);
			return err;
		}
	}
	return 0;
}

SYSCALL(mremap)
{
	struct mm *mm = t->proc->mm;
	uint64_t old = a[0], old_len = PAGE_UP(a[1]), new_len = PAGE_UP(a[2]), flags = a[3];
	uint64_t to = a[4];
	if ((old & PAGE_MASK) || (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || !new_len || !a[2])
		return -EINVAL;
	if (!old_len || old < USER_MIN || old >= TASK_END || old_len > TASK_END - old)
		return -EFAULT;
	struct vma *v = mm_find(mm, old);
	if (!v || v->end < old + old_len || v->device) /* device memory stays where it was put */
		return -EFAULT;
	unsigned prot = v->prot;
	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len)
				mm_unmap(mm, old + new_len, old_len - new_len);
			return (long)old;
		}
		if (old + new_len <= TASK_END && !mm_overlaps(mm, old + old_len, new_len - old_len)) {
			int err = mm_map(mm, old + old_len, new_len - old_len, prot);
			return err ? err : (long)old;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		to = mm_find_free(mm, new_len);
		if (!to)
			return -ENOMEM;
	} else if ((to & PAGE_MASK) || to < USER_MIN || to >= TASK_END || new_len > TASK_END - to ||
		   (to < old + old_len && old < to + new_len)) {
		return -EINVAL;
	}
	int err = mm_map(mm, to, new_len, prot);
	if (!err)
		err = move_pages(mm, old, to, MIN(old_len, new_len));
	if (err) {
		mm_unmap(mm, to, new_len);
		return err;
	}
	mm_unmap(mm, old, old_len);
	return (long)to;
}

SYSCALL(madvise)
{
	struct mm *mm = t->proc->mm;
	uint64_t addr = a[0], len = PAGE_UP(a[1]), advice = a[2];
	/* The advice Linux knows (its 5 to 7 are unused; 100 and up need privileges). */
	if (advice > 25 || (advice >= 5 && advice <= 7) || (addr & PAGE_MASK) || (a[1] && !len) ||
	    addr + len < addr)
		return -EINVAL;
	if (!len)
		return 0;
	if (addr >= TASK_END || len > TASK_END - addr)
		return -ENOMEM;
	/* Dropped anonymous pages read as zero again: the frames go now. */
	if ((advice == MADV_DONTNEED || advice == MADV_FREE) && device_in(mm, addr, len))
		return -EINVAL; /* as Linux for memory it cannot drop */
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		vm_unmap_range(&mm->as, addr, addr + len);
	/* As Linux: the advice applies to what is mapped, and a gap is ENOMEM. */
	return mm_covers(mm, addr, addr + len) ? 0 : -ENOMEM;
}

SYSCALL(msync)
{
	uint64_t addr = a[0], len = PAGE_UP(a[1]), flags = a[2];
	if ((flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (addr & PAGE_MASK) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (addr + len < addr)
		return -ENOMEM;
	if (!len)
		return 0;
	/* Nothing is written back (no mapping is shared with a file), but a gap is ENOMEM. */
	return mm_covers(t->proc->mm, addr, addr + len) ? 0 : -ENOMEM;
}

SYSCALL(mincore)
{
	struct mm *mm = t->proc->mm;
	uint64_t addr = a[0], len = PAGE_UP(a[1]);
	if (addr & PAGE_MASK)
		return -EINVAL;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		if (!mm_find(mm, addr + off))
			return -ENOMEM;
		uint64_t pa;
		unsigned flags;
		unsigned char in = vm_translate(&mm->as, addr + off, &pa, &flags) == 0;
		if (copy_out(mm, a[2] + off / PAGE_SIZE, &in, 1))
			return -EFAULT;
	}
	return 0;
}

SYSCALL(mlock)
{
	(void)t, (void)a;
	return 0; /* nothing is ever swapped out */
}
