/* The device calls over the C library's syscall(), which turns -errno into -1 and errno. */
#include <ecl/dev.h>
#include <ecl/ipc.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int pci_device(unsigned index, struct pci_info *info)
{
	return (int)syscall(SYS_pci_device, index, info);
}

int dev_claim(unsigned index)
{
	return (int)syscall(SYS_dev_claim, index);
}

int dev_release(unsigned index)
{
	return (int)syscall(SYS_dev_release, index);
}

volatile void *dev_map(unsigned index, unsigned bar)
{
	long va = syscall(SYS_dev_map, index, bar);
	return va == -1 ? NULL : (volatile void *)va;
}

int dev_share(unsigned index, pid_t pid)
{
	return (int)syscall(SYS_dev_share, index, pid);
}

int dev_config_read(unsigned index, unsigned offset, void *buf, size_t len)
{
	return (int)syscall(SYS_dev_config, index, offset, buf, len, 0);
}

int dev_config_write(unsigned index, unsigned offset, const void *buf, size_t len)
{
	return (int)syscall(SYS_dev_config, index, offset, buf, len, 1);
}

int dev_irq(unsigned index, unsigned op)
{
	return (int)syscall(SYS_dev_irq, index, op);
}

void *dma_alloc(size_t len, uint64_t *phys)
{
	unsigned long long pa = 0;
	long va = syscall(SYS_dma_alloc, len, &pa);
	if (va == -1)
		return NULL;
	*phys = pa;
	return (void *)va;
}

uint64_t dev_irq_wait(uint64_t timeout_ns)
{
	struct ipc_msg msg;
	for (;;) {
		if (ipc_receive(IPC_FROM_NOTIFY, &msg, timeout_ns) < 0)
			return 0;
		if ((msg.flags & IPC_NOTIFY) && msg.len == sizeof(uint64_t)) {
			uint64_t bits;
			memcpy(&bits, msg.data, sizeof(bits));
			if (bits)
				return bits;
		}
	}
}
