/* The filesystem service's client: requests as ipc_calls, replies' statuses as errno. */
#include <ecl/fs.h>
#include <ecl/ipc.h>
#include <errno.h>
#include <string.h>

/* The service's pid as last looked up, or 0. */
static pid_t server;

/* Sends m's request (type op, head and len bytes after it) and leaves the reply in m; returns
 * the reply's status, or -1 with errno. */
static long transact(union fs_msg *m, enum fs_op op, size_t len)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!server && (server = ipc_lookup(FS_SERVICE_NAME)) < 0) {
			server = 0;
			return -1;
		}
		m->ipc.type = op;
		m->ipc.len = (unsigned)(FS_HEAD_SIZE + len);
		if (ipc_call(server, &m->ipc, &m->ipc, FS_TIMEOUT_NS) == 0)
			break;
		if (errno != ESRCH)
			return -1;
		server = 0; /* restarted since we looked: the request never left */
		if (attempt)
			return -1;
	}
	if (m->ipc.len < FS_HEAD_SIZE || m->ipc.type != (unsigned)op) {
		errno = EIO;
		return -1;
	}
	if (m->rep.status < 0) {
		errno = -m->rep.status;
		return -1;
	}
	return m->rep.status;
}

/* Puts path in m's request; returns its length with the NUL, or -1 with ENAMETOOLONG. */
static long put_path(union fs_msg *m, const char *path)
{
	size_t n = strnlen(path, FS_PATH_MAX);
	if (n == FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(m->req.u.path, path, n + 1);
	return (long)n + 1;
}

/* Opens path with O_* flags; returns a handle or -1. */
int fs_open(const char *path, int flags)
{
	union fs_msg m;
	long n = put_path(&m, path);
	m.req.arg = (uint32_t)flags;
	return n < 0 ? -1 : (int)transact(&m, FS_OPEN, (size_t)n);
}

/* Reads up to n bytes at the handle's offset; returns how many, or -1. */
ssize_t fs_read(int handle, void *buf, size_t n)
{
	union fs_msg m;
	size_t done = 0;
	while (done < n) {
		size_t want = n - done < FS_DATA_MAX ? n - done : FS_DATA_MAX;
		m.req.handle = handle;
		m.req.arg = (uint32_t)want;
		long got = transact(&m, FS_READ, 0);
		if (got < 0)
			return done ? (ssize_t)done : -1;
		if (got > (long)want || m.ipc.len != FS_HEAD_SIZE + (size_t)got) {
			errno = EIO;
			return -1;
		}
		memcpy((char *)buf + done, m.rep.u.data, (size_t)got);
		done += (size_t)got;
		if ((size_t)got < want)
			break;
	}
	return (ssize_t)done;
}

/* Writes n bytes at the handle's offset; returns n, or -1. */
ssize_t fs_write(int handle, const void *buf, size_t n)
{
	union fs_msg m;
	size_t done = 0;
	do {
		size_t chunk = n - done < FS_DATA_MAX ? n - done : FS_DATA_MAX;
		m.req.handle = handle;
		memcpy(m.req.u.data, (const char *)buf + done, chunk);
		long put = transact(&m, FS_WRITE, chunk);
		if (put < 0)
			return done ? (ssize_t)done : -1;
		done += (size_t)put;
		if ((size_t)put < chunk)
			break;
	} while (done < n);
	return (ssize_t)done;
}

/* Closes a handle; returns 0 or -1. */
int fs_close(int handle)
{
	union fs_msg m;
	m.req.handle = handle;
	return (int)transact(&m, FS_CLOSE, 0);
}

/* Removes path from the namespace; returns 0 or -1. */
int fs_unlink(const char *path)
{
	union fs_msg m;
	long n = put_path(&m, path);
	return n < 0 ? -1 : (int)transact(&m, FS_UNLINK, (size_t)n);
}

/* Stores path's size and mode in *st; returns 0 or -1. */
int fs_stat(const char *path, struct fs_stat *st)
{
	union fs_msg m;
	long n = put_path(&m, path);
	if (n < 0 || transact(&m, FS_STAT, (size_t)n) < 0)
		return -1;
	*st = m.rep.u.stat;
	return 0;
}

/* Stores the index-th file in path order in *entry; returns 1, 0 when there is none, or -1. */
int fs_list(unsigned index, struct fs_dirent *entry)
{
	union fs_msg m;
	m.req.arg = index;
	long r = transact(&m, FS_LIST, 0);
	if (r > 0) {
		*entry = m.rep.u.entry;
		entry->name[FS_PATH_MAX - 1] = '\0';
	}
	return (int)r;
}
