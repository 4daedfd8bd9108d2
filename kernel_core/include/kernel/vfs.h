/*
 * The kernel's file layer: path resolution, descriptors, the current directory and permissions
 * live here; file data lives in filesystems. A filesystem is a set of operations on nodes
 * (struct inode): the boot image (bootfs, read-only), the kernel's own objects (devfs, procfs,
 * pipes, ttys) and file servers reached over IPC (srvfs, the filesystem service).
 *
 * Mounts: "/" is the boot image until a file server takes it over (fs_serve); the kernel's
 * filesystems are mounted on names in the root directory (/dev, /proc). Only the root's
 * entries can be mount points, which is all Eclipse needs and keeps mounts independent of
 * which filesystem the root is.
 */
#ifndef KERNEL_VFS_H
#define KERNEL_VFS_H

#include <kernel/proc.h>
#include <uapi/eclipse.h>

#define NAME_MAX 255
#define PATH_MAX 4096
#define SYMLINK_MAX_FOLLOW 40
#define MOUNT_MAX 8

struct inode;
struct file;
struct mount;
struct elf_source;

/* What a filesystem does with its nodes. A missing operation is refused (EROFS, EPERM, ...).
 * Operations that ask a file server may return -EBLOCKED: the syscall then runs again once the
 * answer is there (wait.h), and asks again, getting the answer this time. */
struct fs_type {
	const char *name;
	unsigned magic; /* statfs f_type */
	/* The entry name (len bytes, not "." or "..") of directory dir, a new reference. */
	int (*lookup)(struct thread *t, struct inode *dir, const char *name, size_t len,
		      struct inode **out);
	/* The parent of directory dir, which is not its filesystem's root. */
	int (*parent)(struct thread *t, struct inode *dir, struct inode **out);
	int (*getattr)(struct thread *t, struct inode *ino, struct vfs_attr *a);
	/* Prepares f (f->ino set) for reading and writing: sets f->ops. */
	int (*open)(struct thread *t, struct inode *ino, struct file *f);
	/* A symbolic link's target into buf (size bytes, not terminated): its length. */
	long (*readlink)(struct thread *t, struct inode *ino, char *buf, size_t size);
	int (*create)(struct thread *t, struct inode *dir, const char *name, unsigned mode,
		      struct inode **out);
	int (*mkdir)(struct thread *t, struct inode *dir, const char *name, unsigned mode);
	int (*symlink)(struct thread *t, struct inode *dir, const char *name, const char *target);
	int (*link)(struct thread *t, struct inode *dir, const char *name, struct inode *ino);
	int (*unlink)(struct thread *t, struct inode *dir, const char *name);
	int (*rmdir)(struct thread *t, struct inode *dir, const char *name);
	int (*rename)(struct thread *t, struct inode *dir, const char *name, struct inode *dir2,
		      const char *name2, unsigned flags);
	int (*setattr)(struct thread *t, struct inode *ino, unsigned what, const struct vfs_attr *a);
	int (*statfs)(struct thread *t, struct inode *ino, struct vfs_statfs *s);
	/* ino's data and attributes on stable storage; with all, everything of its filesystem. */
	int (*sync)(struct thread *t, struct inode *ino, bool all);
	/* A link that leads to a node rather than a path (/proc/self/fd/N): 0 and *out, or
	 * -ENOENT to follow its text. */
	int (*follow)(struct thread *t, struct inode *ino, struct inode **out);
	/* The whole file for exec (see vfs_load). */
	int (*load)(struct thread *t, struct inode *ino, struct elf_source *src);
	/* The node's last reference went. */
	void (*release)(struct inode *ino);
};

/* A node: one per lookup result or open object; compared by (mnt, ino). */
struct inode {
	unsigned refs;
	const struct fs_type *fs;
	struct mount *mnt;
	uint64_t ino, gen;
	unsigned mode;  /* type and permissions as last seen */
	uint64_t priv;  /* the filesystem's own: an index, a pid and kind, ... */
	void *obj;      /* a kernel object behind it: a pipe, a tty */
};

/* What can be done with an open file. Missing operations fail (EINVAL, ENOTDIR, ENOTTY). */
struct file_ops {
	/* Reads up to len bytes into user memory at buf from offset off (seekable files): the
	 * bytes read, 0 at the end, or -errno (-EBLOCKED to wait). */
	long (*read)(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off);
	long (*write)(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off);
	/* writev of a file whose writes are records (/dev/kmsg): the cnt iovecs at iov are one
	 * write. Without it, writev writes each piece in turn. */
	long (*write_iov)(struct thread *t, struct file *f, uint64_t iov, unsigned cnt);
	/* Directory records (struct linux_dirent64) from f->offset into buf: bytes, 0 at the end. */
	long (*readdir)(struct thread *t, struct file *f, uint64_t buf, uint64_t len);
	long (*ioctl)(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg);
	/* POLLIN, POLLOUT, POLLHUP, POLLERR as the file stands now. */
	unsigned (*poll)(struct file *f);
	/* The last descriptor went (before the node's reference is dropped). */
	void (*release)(struct file *f);
	bool seekable;
};

/* An open file description, shared by the descriptors referring to it (dup, fork). */
struct file {
	unsigned refs;
	struct inode *ino;
	const struct file_ops *ops;
	unsigned flags;  /* O_ACCMODE bits and the status flags (O_APPEND, O_NONBLOCK, ...) */
	uint64_t offset;
	void *priv;      /* the filesystem's: a snapshot of a /proc file, ... */
	size_t priv_len;
	char *path;      /* the absolute path it was opened by (kmalloc'd), or NULL */
};

struct mount {
	const struct fs_type *fs;
	struct inode *root;
	char name[16];   /* the root directory's entry it covers; "" for the root itself */
	unsigned dev;    /* st_dev of its nodes */
	int server;      /* srvfs: the thread serving it (0 while none does) */
	uint64_t epoch;  /* srvfs: which of its servers; nodes of an earlier one are stale */
	bool used;
};

/* A process's place in the filesystem; threads (CLONE_FS) share one. */
struct fs_ctx {
	unsigned refs;
	struct inode *cwd;
	char *cwd_path; /* its absolute path when it was entered (a page) */
	unsigned umask;
};

/* Mounts the boot image as the root and the kernel's filesystems on it. 0 or -errno. */
int vfs_init(void);
/* Unmounts everything (shutdown). */
void vfs_fini(void);
/* The root directory (a new reference). */
struct inode *vfs_root(void);
/* The mount covering entry name (len bytes) of the root directory, or NULL. */
struct mount *vfs_mount_at(const char *name, size_t len);
/* Mounts fs (its root node root, reference taken over) on name in the root ("" replaces the
 * root). The mount, or NULL when the table is full. */
struct mount *vfs_mount(const char *name, const struct fs_type *fs, struct inode *root);
/* Iterates over mounts: start with *cursor 0. */
struct mount *vfs_mount_next(unsigned *cursor);
/* The mount in slot i (below MOUNT_MAX) when it covers an entry of the root directory, else
 * NULL: what a listing of "/" shows besides the root filesystem's own entries. */
struct mount *vfs_mount_point(unsigned i);

/* Node references. */
struct inode *inode_new(const struct fs_type *fs, struct mount *mnt, uint64_t ino, unsigned mode);
struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);
/* True when a and b are the same node. */
bool inode_same(const struct inode *a, const struct inode *b);

/* Open files. file_open_inode: a new open file on ino with flags (its open operation run):
 * 0 and *out, or -errno. */
int file_open_inode(struct thread *t, struct inode *ino, unsigned flags, struct file **out);
/* An open file of a kernel object (pipe end, tty), ops given, ino's reference taken over. */
struct file *file_alloc(struct inode *ino, const struct file_ops *ops, unsigned flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);

/* Filesystem contexts. */
struct fs_ctx *vfs_fs_new(struct inode *cwd);
struct fs_ctx *vfs_fs_copy(const struct fs_ctx *src);
struct fs_ctx *vfs_fs_get(struct fs_ctx *fs);
void vfs_fs_put(struct fs_ctx *fs);

/* Path resolution. */
#define WALK_FOLLOW 0x1u  /* follow a symbolic link in the last component */
#define WALK_DIR 0x2u     /* the result must be a directory */
#define WALK_PARENT 0x4u  /* stop at the last component's directory: ino is it, name the rest */
#define WALK_EMPTY 0x8u   /* an empty path means dirfd itself (AT_EMPTY_PATH) */

struct walk {
	unsigned flags;         /* WALK_* */
	struct inode *ino;      /* the result, a reference the caller drops */
	char name[NAME_MAX + 1]; /* WALK_PARENT: the last component ("" for "/") */
	bool trailing;          /* WALK_PARENT: the path ended with a slash */
	char *path;             /* when set (PATH_MAX bytes): the result's absolute path */
};

/* Resolves path (a kernel string) from dirfd (AT_FDCWD or a descriptor of a directory) as
 * w->flags say: 0 with w->ino set, or -errno (-EBLOCKED to wait). */
int vfs_walk(struct thread *t, int dirfd, const char *path, struct walk *w);
/* The same with a path in user memory. */
int vfs_walk_user(struct thread *t, int dirfd, uint64_t upath, struct walk *w);
/* Copies a path from user memory into a PATH_MAX buffer: 0, -EFAULT, -ENAMETOOLONG, -ENOENT
 * (empty, unless empty_ok). */
int vfs_path_in(struct thread *t, uint64_t upath, char *buf, bool empty_ok);
/* Attributes of ino, with the mount's st_dev. */
int vfs_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a, unsigned *dev);

/* A whole regular file for exec: *src describes it until the syscall ends. 0 or -errno
 * (-EBLOCKED to wait). */
int vfs_load(struct thread *t, struct inode *ino, struct elf_source *src);

/* Writes one struct linux_dirent64 at buf (room bytes): its length, or -EINVAL when it does
 * not fit, -EFAULT. */
long dirent_put(struct thread *t, uint64_t buf, uint64_t room, uint64_t ino, uint64_t off,
		unsigned mode, const char *name, size_t len);
/* True for an open file of a pipe. */
bool file_is_pipe(const struct file *f);
/* The write offset that means "at the end" (O_APPEND): the file's write sets f->offset. */
#define OFFSET_APPEND UINT64_MAX

/* Filesystems. */
extern const struct fs_type bootfs_type, devfs_type, procfs_type, pipefs_type, srvfs_type;
/* The boot image's root directory, or NULL when there is no image. */
int bootfs_init(struct inode **root);
/* Another root directory of the image, for a second mount of it. */
int bootfs_root(struct inode **root);
void bootfs_fini(void);
int devfs_init(struct inode **root);
int procfs_init(struct inode **root);

/* A read-only file of len bytes the platform keeps at data while the kernel runs (a program
 * it gave in its own memory): a new node. */
struct inode *memfs_node(const void *data, size_t len);
/* The platform's file at path (--root), opened read-only when the filesystem has none. */
int hostfs_open(const char *path, unsigned flags, struct file **out);

/* Pipes: a pair of open files (read end, write end). 0 or -errno. */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);
/* The pieces of a transfer: one buffer, or an iovec array in user memory (sys_file.c). */
struct pieces {
	bool vec;               /* an iovec array at iov, else the single buffer buf, len */
	uint64_t buf, len;
	uint64_t iov;
	unsigned cnt;
	uint64_t total;
};
/* Checks the pieces' addresses and counts and sets total (at most IO_MAX): 0 or -errno. */
long pieces_check(struct thread *t, struct pieces *ps);
/* Piece i: its buffer and length. */
void piece(struct thread *t, const struct pieces *ps, unsigned i, uint64_t *buf, uint64_t *len);
/* Piece i of ps without the first *skip bytes still to skip (what the call did already): false
 * when the whole piece was done (*skip then counts down by its length). */
bool piece_left(struct thread *t, const struct pieces *ps, unsigned i, uint64_t *skip,
		uint64_t *buf, uint64_t *len);

/* AF_UNIX datagram sockets (unix.c): a send of the pieces as one message, to the socket named
 * at uaddr (ulen bytes) or, without one, to the connected peer; a receive of one message into
 * the pieces (the rest of a longer one is lost; *msg_flags gets MSG_TRUNC then), its sender's
 * name to uaddr/ulen. */
bool unix_is_dgram(const struct file *f);
long unix_dgram_send(struct thread *t, struct file *f, const struct pieces *ps, uint64_t uaddr,
		     uint64_t ulen);
long unix_dgram_recv(struct thread *t, struct file *f, const struct pieces *ps, uint64_t uaddr,
		     uint64_t ulen, int *msg_flags);

/* AF_UNIX sockets (unix.c) of type SOCK_STREAM or SOCK_DGRAM; flags: O_NONBLOCK. A new unconnected socket; a connected
 * pair (socketpair); the next connection of the listener at fd (its peer's name to uaddr). */
int unix_socket_create(unsigned type, unsigned flags, struct file **out);
int unix_pair_create(struct thread *t, unsigned type, unsigned flags, struct file **a,
		     struct file **b);
int unix_accept(struct thread *t, uint64_t fd, unsigned flags, uint64_t uaddr, uint64_t ulen,
		struct file **out);
bool file_is_socket(const struct file *f);
/* The socket at descriptor fd: NULL with *err -EBADF or -ENOTSOCK. */
struct file *socket_of(struct thread *t, uint64_t fd, long *err);
/* Whether a send (out) or receive may go on socket f: 0, or -ENOTCONN (send) or -EINVAL
 * (receive) when it is not connected. */
int unix_transfer_check(struct file *f, bool out);
/* shutdown(2) of a socket: SHUT_RD, SHUT_WR or SHUT_RDWR; 0 or -EINVAL. */
int unix_shutdown(struct file *f, int how);
/* A socket's file (sockfs) with ops and priv; flags: O_NONBLOCK. NULL without memory. */
struct file *sock_file_alloc(const struct file_ops *ops, void *priv, unsigned flags);

/* Internet sockets (inet.c), served by the network service: socket() of type and proto
 * (-EBLOCKED while the service is asked); the calls on one, routed here by unix.c and
 * sys_file.c (a: the syscall's arguments); a send or receive of the pieces with flags MSG_*
 * (a datagram's address at uaddr, ulen bytes; a receive's sender to uaddr, its length to the
 * int at ulen). */
bool file_is_inet(const struct file *f);
int inet_socket_create(struct thread *t, unsigned type, int proto, unsigned flags,
		       struct file **out);
long inet_transfer(struct thread *t, struct file *f, struct pieces *ps, unsigned flags, bool out,
		   uint64_t uaddr, uint64_t ulen, int *msg_flags);
long inet_accept(struct thread *t, struct file *f, unsigned flags, uint64_t uaddr, uint64_t ulen,
		 struct file **out);
long inet_shutdown(struct thread *t, struct file *f, int how);
long inet_bind(struct thread *t, struct file *f, const uint64_t *a);
long inet_listen(struct thread *t, struct file *f, const uint64_t *a);
long inet_connect(struct thread *t, struct file *f, const uint64_t *a);
long inet_getsockname(struct thread *t, struct file *f, const uint64_t *a);
long inet_getpeername(struct thread *t, struct file *f, const uint64_t *a);
long inet_getsockopt(struct thread *t, struct file *f, const uint64_t *a);
long inet_setsockopt(struct thread *t, struct file *f, const uint64_t *a);
/* The network service: serving (net_serve), readiness reports (net_ready); its end. */
long sys_net_serve(struct thread *t, const uint64_t *a);
long sys_net_ready(struct thread *t, const uint64_t *a);
void inet_server_exit(struct thread *server);
/* Forgets every socket server (boot). */
void inet_reset(void);

/* Character devices served by processes (chrsrv.c): opening one (rdev 14,x), serving
 * (chr_serve), a server's end; chrsrv_reset forgets every server (boot). */
int chrsrv_open(struct thread *t, unsigned rdev, struct file *f);
long sys_chr_serve(struct thread *t, const uint64_t *a);
void chrsrv_server_exit(struct thread *server);
void chrsrv_reset(void);

/* Opening a FIFO node: an end of the pipe shared by everyone who opens it. */
int pipe_open_fifo(struct thread *t, struct inode *ino, struct file *f);

/* A file server is coming up to serve "/": other processes' paths wait for it until it serves,
 * dies, or until (monotonic ns). */
void vfs_root_pending(struct thread *server, uint64_t until);
void vfs_server_gone(struct thread *server);
/* The mount of the root directory. */
struct mount *vfs_root_mount(void);
/* A file server took over the root: processes whose current directory was the old root's
 * move to the new one. */
void vfs_root_changed(void);

/* Calls of a thread to file servers (srvfs.c). */
struct server_call;
/* The caller's memory a server may copy to or from during a request (grant_copy): up to
 * GRANT_SEGS pieces, seen by the server as one span of len bytes. */
#define GRANT_SEGS 16
struct grant {
	struct mm *mm;
	unsigned dir; /* GRANT_TO_CLIENT, GRANT_FROM_CLIENT */
	unsigned nseg;
	uint64_t len;
	struct {
		uint64_t uva, len;
	} seg[GRANT_SEGS];
};
static inline struct grant grant_one(struct mm *mm, uint64_t uva, uint64_t len, unsigned dir)
{
	return (struct grant){.mm = mm, .dir = dir, .nseg = 1, .len = len, .seg = {{uva, len}}};
}
/* One request of t's syscall to m's server (op, the req_len bytes of req: a page the call
 * takes), g (or NULL) its data: the status, the reply's first rep_size bytes in rep; or
 * -EBLOCKED, to run again. A syscall's requests are logged, so a call that runs again gets the
 * same answers for the same requests in the same order without asking again. */
long srv_call(struct thread *t, struct mount *m, unsigned op, void *req, size_t req_len,
	      const struct grant *g, void *rep, size_t rep_size);
/* Forgets the answers t's syscall got so far: its next requests are asked anew. */
void srv_log_drop(struct thread *t);
/* A message of len bytes to m's server that wants no answer (a close). */
void srv_post(struct mount *m, unsigned op, const void *req, size_t len);
/* A syscall starts (or runs again): its server requests are matched from the first. */
void srv_syscall_begin(struct thread *t);
/* The syscall of t ended: its record of server answers goes. */
void srv_syscall_done(struct thread *t);
/* A thread ends: whatever it asked of servers is forgotten. */
void srv_thread_exit(struct thread *t);
/* A server answers client's request (ipc_reply found it waiting on a kernel request).
 * 0, or -errno for the server. */
long srv_reply(struct thread *server, struct thread *client, uint64_t msg_at);
/* The request in flight of client ends with status; it runs again to see it. */
void srv_fail(struct thread *client, long status);
/* The request a kernel-sending thread delivers: its bytes, length and operation. */
const void *srv_request(struct thread *client, size_t *len, unsigned *op);
/* Messages posted to server (VFS_OPEN, VFS_CLOSE): takes the first, freed by srv_posted_free. */
bool srv_posted_take(struct thread *server, void **req, size_t *len, unsigned *op);
void srv_posted_free(void *req);
bool srv_has_posted(const struct thread *server);
/* A server thread ends: its mounts wait for the next one. */
void srv_server_exit(struct thread *server);
/* Forgets every posted message (boot). */
void srv_reset(void);
long sys_grant_copy(struct thread *t, const uint64_t *a);
long sys_fs_serve(struct thread *t, const uint64_t *a);

#endif
