/* Memory syscalls: brk, mmap (anonymous private), munmap, mprotect. */
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

long sys_brk(struct proc *p, const uint64_t *a)
{
	struct mm *mm = &p->mm;
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

long sys_mmap(struct proc *p, const uint64_t *a)
{
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3];
	int64_t fd = (int64_t)a[4];
	if (len == 0 || (flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE)
		return -EINVAL;
	prot &= PROT_ALL; /* Linux ignores the bits it does not know here (mprotect does not) */
	if (!(flags & MAP_ANONYMOUS))
		return fd >= 0 && fd < 3 ? -ENODEV : -EBADF;
	if (len > USER_END)
		return -ENOMEM;
	len = PAGE_UP(len);
	if (flags & MAP_FIXED) {
		if (addr & PAGE_MASK)
			return -EINVAL;
		if (addr < USER_MIN || addr >= TASK_END || len > TASK_END - addr)
			return -ENOMEM;
	} else if ((addr & PAGE_MASK) || addr < USER_MIN || addr >= TASK_END ||
		   len > TASK_END - addr || mm_overlaps(&p->mm, addr, len)) {
		addr = mm_find_free(&p->mm, len);
		if (!addr)
			return -ENOMEM;
	}
	int err = mm_map(&p->mm, addr, len, (unsigned)prot);
	return err ? err : (long)addr;
}

long sys_munmap(struct proc *p, const uint64_t *a)
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
	return mm_unmap(&p->mm, addr, len);
}

long sys_mprotect(struct proc *p, const uint64_t *a)
{
	uint64_t addr = a[0], len = a[1], prot = a[2];
	if ((addr & PAGE_MASK) || (prot & ~(uint64_t)PROT_ALL))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (addr < USER_MIN || addr >= TASK_END || len > TASK_END - addr)
		return -ENOMEM;
	return mm_protect(&p->mm, addr, len, (unsigned)prot);
}
