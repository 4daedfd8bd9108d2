/*
 * The filesystem service's files. The namespace is an array of files sorted by path; a handle
 * points at its file, so a file that is unlinked while open lives on, out of the namespace,
 * until its last handle is closed. Handles of processes that have exited are reclaimed when the
 * table runs full.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"

#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND)

struct file {
	char path[FS_PATH_MAX];
	unsigned char *data;
	size_t size, capacity;
	bool read_only;
	bool linked;    /* in the namespace */
	unsigned opens; /* handles on it */
};

struct handle {
	struct file *file; /* NULL: a free slot */
	size_t offset;
	unsigned flags;
	int owner;
};

static struct file *names[FS_FILES_MAX]; /* the namespace, sorted by path */
static unsigned nnames;
static struct handle handles[FS_HANDLES_MAX];

/* A path is absolute, has a name after its last '/' and fits FS_PATH_MAX; 0 or -errno. */
static int check_path(const char *path)
{
	size_t n = strnlen(path, FS_PATH_MAX);
	if (n == FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT;
	if (path[0] != '/' || path[n - 1] == '/')
		return path[0] == '/' ? -EISDIR : -EINVAL;
	return 0;
}

/* The index where path is, or would be inserted, in names; *found says which. */
static unsigned position(const char *path, bool *found)
{
	unsigned lo = 0, hi = nnames;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = strcmp(names[mid]->path, path);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static struct file *lookup(const char *path)
{
	bool found;
	unsigned i = position(path, &found);
	return found ? names[i] : NULL;
}

/* Creates an empty file at path in the namespace; returns it, or NULL with *err set. */
static struct file *create(const char *path, bool read_only, int *err)
{
	bool found;
	unsigned at = position(path, &found);
	struct file *f = nnames < FS_FILES_MAX ? calloc(1, sizeof *f) : NULL;
	if (!f) {
		*err = nnames < FS_FILES_MAX ? -ENOMEM : -ENOSPC;
		return NULL;
	}
	strcpy(f->path, path);
	f->read_only = read_only;
	f->linked = true;
	memmove(&names[at + 1], &names[at], (nnames - at) * sizeof names[0]);
	names[at] = f;
	nnames++;
	return f;
}

/* Frees f once it is neither in the namespace nor open. */
static void release(struct file *f)
{
	if (f->linked || f->opens)
		return;
	free(f->data);
	free(f);
}

/* Takes names[at] out of the namespace. */
static void remove_at(unsigned at)
{
	struct file *f = names[at];
	memmove(&names[at], &names[at + 1], (nnames - at - 1) * sizeof names[0]);
	nnames--;
	f->linked = false;
	release(f);
}

/* Makes room for size bytes in f; 0 or -errno. */
static int reserve(struct file *f, size_t size)
{
	if (size > FS_FILE_SIZE_MAX)
		return -ENOSPC;
	if (size <= f->capacity)
		return 0;
	size_t capacity = f->capacity ? f->capacity : 256;
	while (capacity < size)
		capacity *= 2;
	if (capacity > FS_FILE_SIZE_MAX)
		capacity = FS_FILE_SIZE_MAX;
	unsigned char *data = realloc(f->data, capacity);
	if (!data)
		return -ENOMEM;
	f->data = data;
	f->capacity = capacity;
	return 0;
}

int store_seed(const char *path, const void *data, size_t len)
{
	int err = check_path(path);
	if (err)
		return err;
	bool found;
	unsigned at = position(path, &found);
	if (found)
		return -EEXIST;
	struct file *f = create(path, true, &err);
	if (!f)
		return err;
	if ((err = reserve(f, len))) {
		remove_at(at);
		return err;
	}
	memcpy(f->data, data, len);
	f->size = len;
	return 0;
}

/* Frees the handles of owners that no longer exist; returns how many. */
static unsigned reclaim_orphans(void)
{
	unsigned freed = 0;
	for (int i = 0; i < FS_HANDLES_MAX; i++) {
		struct handle *h = &handles[i];
		if (h->file && kill(h->owner, 0) < 0 && errno == ESRCH) {
			store_close(i, h->owner);
			freed++;
		}
	}
	return freed;
}

/* A free handle slot, or -1. */
static int free_handle(void)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < FS_HANDLES_MAX; i++)
			if (!handles[i].file)
				return i;
		if (!reclaim_orphans())
			break;
	}
	return -1;
}

int store_open(const char *path, unsigned flags, int owner)
{
	unsigned access = flags & O_ACCMODE;
	int err = check_path(path);
	if (err)
		return err;
	if ((flags & ~OPEN_FLAGS) || access == O_ACCMODE)
		return -EINVAL;
	bool writes = access != O_RDONLY;
	struct file *f = lookup(path);
	if (f && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (!f && !(flags & O_CREAT))
		return -ENOENT;
	if (f && f->read_only && (writes || (flags & O_TRUNC)))
		return -EROFS;
	int h = free_handle();
	if (h < 0)
		return -EMFILE;
	if (!f && !(f = create(path, false, &err)))
		return err;
	if (writes && (flags & O_TRUNC))
		f->size = 0;
	f->opens++;
	handles[h] = (struct handle){f, 0, flags, owner};
	return h;
}

/* owner's open handle h, or NULL. */
static struct handle *handle_of(int h, int owner)
{
	if (h < 0 || h >= FS_HANDLES_MAX || !handles[h].file || handles[h].owner != owner)
		return NULL;
	return &handles[h];
}

long store_read(int handle, int owner, void *buf, size_t n)
{
	struct handle *h = handle_of(handle, owner);
	if (!h || (h->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	struct file *f = h->file;
	size_t left = h->offset < f->size ? f->size - h->offset : 0;
	if (n > left)
		n = left;
	memcpy(buf, f->data + h->offset, n);
	h->offset += n;
	return (long)n;
}

long store_write(int handle, int owner, const void *buf, size_t n)
{
	struct handle *h = handle_of(handle, owner);
	if (!h || (h->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	struct file *f = h->file;
	if (h->flags & O_APPEND)
		h->offset = f->size;
	if (h->offset >= FS_FILE_SIZE_MAX && n)
		return -ENOSPC;
	if (n > FS_FILE_SIZE_MAX - h->offset)
		n = FS_FILE_SIZE_MAX - h->offset; /* as far as the limit, like write(2) at RLIMIT_FSIZE */
	int err = reserve(f, h->offset + n);
	if (err)
		return err;
	if (h->offset > f->size) /* another handle truncated the file under ours */
		memset(f->data + f->size, 0, h->offset - f->size);
	memcpy(f->data + h->offset, buf, n);
	h->offset += n;
	if (h->offset > f->size)
		f->size = h->offset;
	return (long)n;
}

int store_close(int handle, int owner)
{
	struct handle *h = handle_of(handle, owner);
	if (!h)
		return -EBADF;
	struct file *f = h->file;
	*h = (struct handle){NULL, 0, 0, 0};
	f->opens--;
	release(f);
	return 0;
}

int store_unlink(const char *path)
{
	int err = check_path(path);
	if (err)
		return err;
	bool found;
	unsigned at = position(path, &found);
	if (!found)
		return -ENOENT;
	if (names[at]->read_only)
		return -EROFS;
	remove_at(at);
	return 0;
}

static struct fs_stat stat_of(const struct file *f)
{
	return (struct fs_stat){f->size, S_IFREG | (f->read_only ? 0444u : 0644u), 0};
}

int store_stat(const char *path, struct fs_stat *st)
{
	int err = check_path(path);
	if (err)
		return err;
	struct file *f = lookup(path);
	if (!f)
		return -ENOENT;
	*st = stat_of(f);
	return 0;
}

int store_entry(unsigned index, struct fs_dirent *entry)
{
	if (index >= nnames)
		return 0;
	entry->stat = stat_of(names[index]);
	memcpy(entry->name, names[index]->path, sizeof entry->name);
	return 1;
}

unsigned store_count(size_t *bytes)
{
	*bytes = 0;
	for (unsigned i = 0; i < nnames; i++)
		*bytes += names[i]->size;
	return nnames;
}
