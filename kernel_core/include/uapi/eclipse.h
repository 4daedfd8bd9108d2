/*
 * The Eclipse OS guest ABI: the calls Linux does not have (from 500): message passing, the
 * service registry, service binaries, and the file-server protocol. Shared by the kernel and
 * guest programs, which get everything else from their C library (Linux numbers and layouts).
 * Freestanding: no includes, fixed-width types spelled out.
 */
#ifndef ECLIPSE_UAPI_H
#define ECLIPSE_UAPI_H

/* Eclipse-specific syscalls. */
#define SYS_ECLIPSE_BASE 500
/* get_service_binary(id, uint64_t *size): maps the boot image's binary of service id read-only
 * into the caller; returns its address and stores its size. */
#define SYS_get_service_binary 500
/* exec_image(const void *elf, size_t len, char *const argv[], char *const envp[]): execve from an
 * ELF image in the caller's memory. */
#define SYS_exec_image 501

/*
 * Message passing: synchronous and copied by the kernel. A sender blocks until a receiver takes
 * its message (or fails with -EAGAIN when timeout_ns is 0); call sends and waits for the reply
 * atomically. timeout_ns: IPC_FOREVER, 0 (never block), or a span after which the call fails
 * with -ETIMEDOUT. A partner that dies wakes its waiters with -EPIPE; a call to oneself is
 * -EDEADLK; a handled signal interrupts a wait with -EINTR.
 */
#define SYS_ipc_send 502     /* (pid, const struct ipc_msg *, timeout_ns) -> 0 */
#define SYS_ipc_receive 503  /* (from pid or 0 for any, struct ipc_msg *, timeout_ns) -> sender */
#define SYS_ipc_call 504     /* (pid, const struct ipc_msg *req, struct ipc_msg *reply, timeout_ns) */
#define SYS_ipc_reply 505    /* (pid of a caller waiting for us, const struct ipc_msg *) -> 0 */
#define SYS_ipc_register 506 /* (const char *name) -> 0: clients find us by name */
#define SYS_ipc_lookup 507   /* (const char *name) -> pid */
#define IPC_PAYLOAD_MAX 4096
#define IPC_NAME_MAX 32 /* with the NUL */
#define IPC_FOREVER 0xffffffffffffffffull

struct ipc_msg {
	int sender;        /* set by the kernel on delivery */
	unsigned int type; /* the application's */
	unsigned int len;  /* bytes of data, at most IPC_PAYLOAD_MAX */
	unsigned int flags; /* set by the kernel on delivery: IPC_KERNEL */
	unsigned char data[IPC_PAYLOAD_MAX];
};
#define IPC_HEADER_SIZE 16
/* The message comes from the kernel on behalf of its sender (a file-server request). */
#define IPC_KERNEL 0x1u
/* The message is a notification from the kernel (sender 0): see dev_irq. */
#define IPC_NOTIFY 0x2u
#define IPC_NOTIFY_IRQ 1u
/* ipc_receive's from: notifications only. */
#define IPC_FROM_NOTIFY (-1)

/*
 * File servers. A process serves a filesystem with fs_serve(path): from then on the kernel turns
 * the file calls of every other process on paths below it into requests (struct vfs_req, type an
 * enum vfs_op) that reach the server by ipc_receive, flagged IPC_KERNEL, sent by the calling
 * thread; the server answers each with ipc_reply (struct vfs_rep). Path resolution, descriptors,
 * offsets and permissions stay in the kernel: a server sees nodes and names. Bulk data does not
 * travel in messages: during a READ, WRITE or READDIR the server copies straight to or from the
 * caller's buffer with grant_copy. A server that dies fails the calls in flight with EIO and
 * keeps its mount: the next server of the same path (restarted by init) takes it over.
 */
#define SYS_fs_serve 508   /* (const char *path) -> 0; EBUSY when a live server has it */
#define SYS_grant_copy 509 /* (int client, uint64_t offset, void *buf, size_t len, unsigned dir) */
#define GRANT_TO_CLIENT 0   /* copy buf into the client's buffer at offset (READ, READDIR) */
#define GRANT_FROM_CLIENT 1 /* copy the client's buffer at offset into buf (WRITE) */

/* A server's root directory is node VFS_ROOT_NODE; ".." of it is itself. Posted requests
 * (VFS_OPEN, VFS_CLOSE) arrive from sender 0 and get no reply. */
#define VFS_ROOT_NODE 1

enum vfs_op {
	VFS_LOOKUP = 0x1000, /* node (a directory), name -> attr of the entry */
	VFS_GETATTR,         /* node -> attr */
	VFS_SETATTR,         /* node, flags VFS_SET_*, attr -> attr */
	VFS_READ,            /* node, offset, len: the bytes go to the grant -> bytes read */
	VFS_WRITE,           /* node, offset, len: the bytes come from the grant -> bytes written */
	VFS_CREATE,          /* node, name, mode (S_IFREG, S_IFIFO...): a new entry -> attr */
	VFS_MKDIR,           /* node, name, mode -> attr */
	VFS_SYMLINK,         /* node, name, name2 (the target) -> attr */
	VFS_LINK,            /* node, name, node2 (an existing non-directory) -> attr */
	VFS_UNLINK,          /* node, name (not a directory) -> 0 */
	VFS_RMDIR,           /* node, name (an empty directory) -> 0 */
	VFS_RENAME,          /* node, name, node2, name2, flags VFS_RENAME_* -> 0 */
	VFS_READDIR,         /* node, offset (a cookie, 0 first), len: struct linux_dirent64 records
			      * to the grant -> bytes, rep.cookie where to go on (0 at the end) */
	VFS_READLINK,        /* node -> its length, the target in rep.data */
	VFS_STATFS,          /* -> 0, rep.statfs */
	VFS_SYNC,            /* node (0: everything) -> 0 once it is on stable storage */
	VFS_OPEN,            /* node: a descriptor refers to it now (keeps an unlinked file) */
	VFS_CLOSE,           /* node: one such reference went (no reply expected) */
};

struct vfs_attr {
	unsigned long long ino, gen, size, blocks;
	long long atime_ns, mtime_ns, ctime_ns;
	unsigned int mode, nlink, uid, gid, rdev, blksize;
};

/* RENAME's flags (Linux's renameat2 RENAME_NOREPLACE and RENAME_EXCHANGE). */
#define VFS_RENAME_NOREPLACE 1u
#define VFS_RENAME_EXCHANGE 2u

/* What a SETATTR changes. */
#define VFS_SET_MODE 0x1u
#define VFS_SET_UID 0x2u
#define VFS_SET_GID 0x4u
#define VFS_SET_SIZE 0x8u
#define VFS_SET_ATIME 0x10u
#define VFS_SET_MTIME 0x20u

struct vfs_req {
	unsigned long long node, gen;   /* the node, or the directory of name */
	unsigned long long offset, len; /* READ, WRITE, READDIR */
	unsigned long long node2, gen2; /* RENAME's second directory, LINK's node */
	unsigned int mode, flags;
	struct vfs_attr attr;           /* SETATTR */
	unsigned int name_len, name2_len; /* without their NULs */
	char names[];                   /* name, NUL, name2, NUL */
};

struct vfs_statfs {
	unsigned long long type, bsize, blocks, bfree, files, ffree, namelen;
};

struct vfs_rep {
	long long status; /* -errno, or the result its operation gives */
	unsigned long long cookie;
	struct vfs_attr attr;
	struct vfs_statfs statfs;
	char data[];      /* READLINK */
};
#define VFS_NAMES_MAX (IPC_PAYLOAD_MAX - (unsigned)sizeof(struct vfs_req))
#define VFS_DATA_MAX (IPC_PAYLOAD_MAX - (unsigned)sizeof(struct vfs_rep))

/*
 * Devices. The kernel finds the machine's PCI functions at boot (configuration space through
 * ports 0xCF8/0xCFC on both machines: QEMU's bus on pc, the simulator's own model on the sim)
 * and sizes their base address registers. pci_device(index, &info) describes the index-th one
 * in bus order (0 the first): 0, or -ENODEV past the last. Anyone may look.
 *
 * Using one is for its driver: process 1 (init, from services.conf) grants function index to a
 * process with dev_grant; that process, and no other, may dev_claim it, which makes the I/O
 * ports of its BARs usable by its threads (in and out from user mode; everyone else faults
 * there with SIGSEGV). A function has one owner at a time (EBUSY for another). dev_release
 * gives it back; so does the owner's exec or end, and a grant ends with its process.
 */
#define SYS_pci_device 510 /* (unsigned index, struct pci_info *) -> 0 or -ENODEV */
#define SYS_dev_grant 511  /* (pid, unsigned index) -> 0; EPERM unless process 1, ESRCH, ENODEV */
#define SYS_dev_claim 512  /* (unsigned index) -> 0; EPERM not granted, EBUSY owned, ENODEV */
#define SYS_dev_release 513 /* (unsigned index) -> 0; EINVAL when the caller does not own it */
/*
 * What an owner does with its device (docs/devices.md has the design):
 * - dev_map(index, bar): maps memory BAR bar into the caller, read-write and uncached; returns
 *   its address (the BAR's first byte). EPERM unless the caller owns the function, EINVAL for a
 *   BAR that is not memory or not page aligned, ENOMEM. Gone with the device (release, exec,
 *   exit); a forked child does not get it.
 * - dev_config(index, offset, buf, len, write): reads or writes configuration space bytes
 *   [offset, offset+len) of 256. Writes reach only the device's own registers (from 0x40) and
 *   the command register's I/O, memory, bus-master and interrupt-disable bits. The kernel turns
 *   bus mastering off when the owner lets go: a driver turns it on once its device is reset.
 * - dev_irq(index, op): DEV_IRQ_BIND makes the calling thread the receiver of the function's
 *   interrupts; DEV_IRQ_ACK says the device was handled (its line may interrupt again);
 *   DEV_IRQ_UNBIND stops them. An interrupt reaches the thread as a notification: ipc_receive
 *   (from 0, or IPC_FROM_NOTIFY for notifications only) returns 0 with a message flagged
 *   IPC_KERNEL | IPC_NOTIFY, type IPC_NOTIFY_IRQ, and 8 bytes of data: bit i set for each
 *   function index i that interrupted since the last one. Notifications never queue up: the
 *   bits gather until the thread receives them. ENXIO when the function has no interrupt.
 * - dma_alloc(len, unsigned long long *phys): len bytes (rounded up to pages, at most
 *   DMA_ALLOC_MAX) of zeroed, physically contiguous memory mapped read-write into the caller;
 *   returns its address and stores its physical address. Only an owner of a device may ask
 *   (EPERM), up to DMA_PROC_MAX per process (ENOMEM). The frames stay reserved (never reused,
 *   even when unmapped) while the process owns a device, so a device never writes into
 *   memory that has gone to someone else.
 */
#define SYS_dev_map 514    /* (unsigned index, unsigned bar) -> address */
#define SYS_dev_config 515 /* (unsigned index, unsigned offset, void *buf, size_t len, int write) */
#define SYS_dev_irq 516    /* (unsigned index, unsigned op) -> 0 */
#define SYS_dma_alloc 517  /* (size_t len, unsigned long long *phys) -> address */
#define DEV_IRQ_BIND 0
#define DEV_IRQ_ACK 1
#define DEV_IRQ_UNBIND 2
#define DMA_ALLOC_MAX (4ull << 20)
#define DMA_PROC_MAX (16ull << 20)
#define PCI_CONFIG_SIZE 256
/*
 * The PC's ISA devices the kernel knows are listed after the PCI functions, and are granted,
 * claimed and driven the same way: header PCI_HEADER_ISA, bus 0xff, vendor ISA_VENDOR_PNP ("PNP"
 * as an EISA identity) and device the PnP number, their ports as I/O BARs, their interrupt in
 * irq_line (irq_pin 1). There are two: the i8042's keyboard port, 41d0:0303 (class 09.00, ports
 * 0x60 and 0x64, line 1), and its mouse port, 41d0:0f13 (class 09.02, line 12). dev_config and
 * dev_map refuse them (EINVAL).
 */
#define PCI_HEADER_ISA 0x7f
#define ISA_VENDOR_PNP 0x41d0
#define PCI_BARS 6
#define PCI_BAR_IO 0x1u       /* I/O ports (else memory) */
#define PCI_BAR_64 0x2u       /* a 64-bit memory BAR: the next BAR is its upper half, unused */
#define PCI_BAR_PREFETCH 0x4u /* prefetchable memory */
struct pci_bar {
	unsigned long long base; /* the address the firmware or the machine gave it; 0: none */
	unsigned long long size; /* 0: the BAR is not implemented */
	unsigned int flags;      /* PCI_BAR_* */
	unsigned int reserved;
};
struct pci_info {
	unsigned char bus, dev, fn; /* its address, bus:dev.fn as lspci prints it */
	unsigned char header;       /* header type, without the multi-function bit */
	unsigned short vendor, device;
	unsigned short subsys_vendor, subsys_device;
	unsigned char class_code, subclass, prog_if, revision;
	unsigned char irq_line; /* the interrupt line the machine routed, when irq_pin is set */
	unsigned char irq_pin;  /* 0 none, 1..4 INTA#..INTD# */
	unsigned short command; /* the command register as found */
	struct pci_bar bars[PCI_BARS];
};

/*
 * Internet sockets. A process serves them with net_serve() (the network service): from then on
 * socket(AF_INET, ...) and every call on such a socket become requests (struct net_req, type an
 * enum net_op) that reach it by ipc_receive as file-server requests do, flagged IPC_KERNEL, and
 * are answered with ipc_reply (struct net_rep). The server answers every request at once and
 * never holds one: a call that cannot go on yet (no data, no connection to accept, no room) is
 * answered -EAGAIN, and the kernel waits (or fails with EAGAIN when the socket does not block)
 * until the server reports with net_ready that the socket's readiness changed. Readiness is
 * POLL* bits (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLRDHUP) with a version the server raises at
 * each change, so the kernel keeps the newest of what replies and reports say. poll and select
 * read the kernel's copy and ask the server nothing. Data goes by grant_copy between the
 * caller's buffers and the server, as for files. A server that dies fails the calls of every
 * socket it served (ECONNRESET); socket() waits for the next server.
 */
#define SYS_net_serve 518 /* () -> 0; EBUSY when a live server has them */
#define SYS_net_ready 519 /* (const struct net_ready *, unsigned n) -> 0 */
/*
 * dev_share(index, pid): the owner of a function lets process pid map its memory BARs too
 * (dev_map, as the owner maps them), the framebuffer a display service lends a client, say;
 * pid 0 takes that back. One process at a time: a new pid replaces the last, whose mappings
 * go. They go too when the owner lets the function go, and with the sharer's exec or end.
 * EPERM unless the caller owns the function, ESRCH for no such live process, EINVAL for the
 * caller itself.
 */
#define SYS_dev_share 520 /* (unsigned index, int pid) -> 0 */
#define NET_SOCKETS_MAX 1024 /* a handle is its slot (below this) | a generation << 16 */
#define NET_READY_MAX 256    /* net_ready's n */
#define NET_IO_MAX (256u << 10) /* bytes one NET_SEND or NET_RECV moves at most */

enum net_op {
	NET_SOCKET = 0x2000, /* arg the type (SOCK_STREAM, SOCK_DGRAM), flags the protocol ->
			      * 0, rep.handle the new socket */
	NET_BIND,      /* handle, addr -> 0 */
	NET_LISTEN,    /* handle, arg the backlog -> 0 */
	NET_ACCEPT,    /* handle -> 0, rep.handle the connection, rep.addr its peer */
	NET_CONNECT,   /* handle, addr (family AF_UNSPEC: dissolve a datagram socket's) -> 0,
			* or -EINPROGRESS while a stream connects */
	NET_CONNECTED, /* handle -> 0 once its connect is done, its error, or -EAGAIN */
	NET_SEND,      /* handle, len, flags (MSG_*), addr when has_addr: the bytes from the grant
			* -> bytes taken */
	NET_RECV,      /* handle, len, flags: the bytes to the grant -> bytes (a datagram's whole
			* size with MSG_TRUNC), rep.addr the sender, rep.msg_flags */
	NET_SHUTDOWN,  /* handle, arg SHUT_RD, SHUT_WR or SHUT_RDWR -> 0 */
	NET_NAME,      /* handle, arg 0 its own address, 1 its peer's -> 0, rep.addr */
	NET_GETOPT,    /* handle, level, name -> 0, rep.optval */
	NET_SETOPT,    /* handle, level, name, optval -> 0 */
	NET_IOCTL,     /* handle, arg the request (FIONREAD, SIOCGIF*...), ifreq -> 0, rep.optval
			* or rep.ifreq */
	NET_CLOSE,     /* handle: the last descriptor went (posted from sender 0, no reply) */
};

/* An IPv4 address and port, both in network byte order as in struct sockaddr_in. */
struct net_addr {
	unsigned short family, port;
	unsigned int addr;
};

struct net_req {
	unsigned int handle, arg;
	unsigned int flags, level, name;
	int optval;
	unsigned long long len, uva; /* uva: where the caller's buffer is (for the record only) */
	struct net_addr addr;
	unsigned int has_addr, reserved;
	unsigned char ifreq[40]; /* struct ifreq */
};

struct net_rep {
	long long status;            /* -errno, or the result */
	unsigned int handle;         /* NET_SOCKET, NET_ACCEPT: the new socket */
	unsigned int mask, version;  /* the readiness of the new socket, or the request's */
	int optval;
	unsigned int msg_flags, reserved;
	struct net_addr addr;
	unsigned char ifreq[40];
};

struct net_ready {
	unsigned int handle, mask, version;
};

/*
 * Character devices served by processes: OSS's /dev/dsp (14,3) and /dev/mixer (14,0), which
 * the audio service serves. chr_serve(rdev) makes the caller the server of rdev: from then on
 * open, read, write and ioctl of such a node, and the last close of what open gave, become
 * requests (struct chr_req, type an enum chr_op) that reach it by ipc_receive flagged
 * IPC_KERNEL, answered with ipc_reply (struct chr_rep). Unlike the network service, a server
 * may hold a request and answer it later (a write of sound waits there for room in its
 * stream); the caller waits in the kernel, as for a file server, up to 10 s. Data goes by
 * grant_copy. An ioctl carries what its command's number encodes: _IOC_SIZE bytes (at most
 * CHR_ARG_MAX) of the argument in arg when _IOC_WRITE, and rep.arg back out to it when
 * _IOC_READ and the status is not negative; a command that encodes no size passes its
 * argument's value in arg_value. A server that dies fails the calls of every file opened
 * through it (EIO) and open waits for the next server; opening a node nobody has served yet
 * is ENODEV. poll reports such files always ready.
 */
#define SYS_chr_serve 521 /* (unsigned rdev) -> 0; EBUSY when a live server has it, EINVAL */
#define CHR_RDEV_MIXER 0x0e00u /* 14,0 */
#define CHR_RDEV_DSP 0x0e03u   /* 14,3 */
#define CHR_ARG_MAX 64
#define CHR_IO_MAX (1u << 20) /* bytes one CHR_READ or CHR_WRITE moves at most */

enum chr_op {
	CHR_OPEN = 0x3000, /* rdev, flags (the open's O_*) -> 0, rep.handle the open file */
	CHR_READ,          /* handle, len, flags (O_NONBLOCK now): bytes to the grant -> bytes */
	CHR_WRITE,         /* handle, len, flags: bytes from the grant -> bytes taken */
	CHR_IOCTL,         /* handle, cmd, arg or arg_value -> the result, rep.arg */
	CHR_CLOSE,         /* handle: the last descriptor went (posted from sender 0, no reply) */
};

struct chr_req {
	unsigned int rdev, handle;
	unsigned int flags, reserved;
	unsigned long long len, cmd, arg_value;
	unsigned char arg[CHR_ARG_MAX];
};

struct chr_rep {
	long long status; /* -errno, or the result */
	unsigned int handle, reserved;
	unsigned char arg[CHR_ARG_MAX];
};

/* Service ids of get_service_binary, and the boot-image paths behind them. */
#define ECLIPSE_SERVICE_FILESYSTEM 0
#define ECLIPSE_SERVICE_NETWORK 1
#define ECLIPSE_SERVICE_DISPLAY 2
#define ECLIPSE_SERVICE_AUDIO 3
#define ECLIPSE_SERVICE_INPUT 4
#define ECLIPSE_SERVICE_PATHS                                                                    \
	{"/sbin/filesystem", "/sbin/network", "/sbin/display", "/sbin/audio", "/sbin/input"}

#endif
