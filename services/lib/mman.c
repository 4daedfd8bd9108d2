/* Memory mapping wrappers. */
#include <ecl/syscall.h>
#include <ecl/unistd.h>

/* Maps len bytes as prot and flags say; returns the address or MAP_FAILED. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall_ret(syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off));
}

/* Unmaps the pages of [addr, addr + len); returns 0 or -1. */
int munmap(void *addr, size_t len)
{
	return (int)syscall_ret(syscall2(SYS_munmap, (long)addr, (long)len));
}

/* Sets the protection of the pages of [addr, addr + len) to prot; returns 0 or -1. */
int mprotect(void *addr, size_t len, int prot)
{
	return (int)syscall_ret(syscall3(SYS_mprotect, (long)addr, (long)len, prot));
}
