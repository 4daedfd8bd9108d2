/* Open files are reference counted; a descriptor table grows in chunks as descriptors are used. */
#include <kernel/fd.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

_Static_assert(FD_CHUNK * sizeof(struct file *) <= KMALLOC_MAX, "a chunk is one object");

struct fdtable *fd_table_new(void)
{
	struct fdtable *t = kmalloc(sizeof(*t));
	if (t)
		t->refs = 1;
	return t;
}

/* The slot of descriptor fd, allocating its chunk when grow is set; NULL if there is none. */
static struct file **slot(struct fdtable *t, int fd, bool grow)
{
	if (fd < 0 || fd >= FD_LIMIT_MAX)
		return NULL;
	struct file ***c = &t->chunk[fd / FD_CHUNK];
	if (!*c && grow)
		*c = kmalloc(FD_CHUNK * sizeof(struct file *));
	return *c ? &(*c)[fd % FD_CHUNK] : NULL;
}

struct file *fd_get(const struct fdtable *t, int64_t fd)
{
	if (fd < 0 || fd >= FD_LIMIT_MAX)
		return NULL;
	struct file **c = t->chunk[fd / FD_CHUNK];
	return c ? c[fd % FD_CHUNK] : NULL;
}

struct fdtable *fd_table_copy(const struct fdtable *src)
{
	struct fdtable *t = fd_table_new();
	if (!t)
		return NULL;
	for (int i = 0; i < FD_LIMIT_MAX / FD_CHUNK; i++) {
		if (!src->chunk[i])
			continue;
		if (!(t->chunk[i] = kmalloc(FD_CHUNK * sizeof(struct file *)))) {
			fd_table_put(t);
			return NULL;
		}
		for (int j = 0; j < FD_CHUNK; j++)
			if ((t->chunk[i][j] = src->chunk[i][j]))
				file_get(t->chunk[i][j]);
	}
	kmemcpy(t->cloexec, src->cloexec, sizeof(t->cloexec));
	return t;
}

void fd_table_put(struct fdtable *t)
{
	if (!t || --t->refs)
		return;
	for (int i = 0; i < FD_LIMIT_MAX / FD_CHUNK; i++) {
		if (!t->chunk[i])
			continue;
		for (int j = 0; j < FD_CHUNK; j++)
			if (t->chunk[i][j])
				file_put(t->chunk[i][j]);
		kfree(t->chunk[i]);
	}
	kfree(t);
}

void fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	uint64_t bit = 1ull << (fd % 64);
	if (on)
		t->cloexec[fd / 64] |= bit;
	else
		t->cloexec[fd / 64] &= ~bit;
}

bool fd_cloexec(const struct fdtable *t, int fd)
{
	return (t->cloexec[fd / 64] >> (fd % 64)) & 1;
}

int fd_install(struct fdtable *t, struct file *f, int min, unsigned limit, bool cloexec)
{
	if (limit > FD_LIMIT_MAX)
		limit = FD_LIMIT_MAX;
	for (int fd = min < 0 ? 0 : min; (unsigned)fd < limit; fd++) {
		if (fd_get(t, fd))
			continue;
		struct file **s = slot(t, fd, true);
		if (!s)
			return -ENOMEM;
		*s = f;
		fd_set_cloexec(t, fd, cloexec);
		return fd;
	}
	return -EMFILE;
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	struct file **s = slot(t, fd, true);
	if (!s)
		return -ENOMEM;
	struct file *old = *s;
	*s = f;
	fd_set_cloexec(t, fd, cloexec);
	if (old)
		file_put(old);
	return fd;
}

int fd_close(struct fdtable *t, int64_t fd)
{
	struct file *f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	*slot(t, (int)fd, false) = NULL;
	fd_set_cloexec(t, (int)fd, false);
	file_put(f);
	return 0;
}

void fd_close_on_exec(struct fdtable *t)
{
	for (int i = 0; i < FD_LIMIT_MAX / 64; i++) {
		uint64_t bits = t->cloexec[i];
		while (bits) {
			int fd = i * 64 + __builtin_ctzll(bits);
			bits &= bits - 1;
			fd_close(t, fd);
		}
	}
}

int fd_end(const struct fdtable *t)
{
	for (int i = FD_LIMIT_MAX / FD_CHUNK - 1; i >= 0; i--) {
		if (!t->chunk[i])
			continue;
		for (int j = FD_CHUNK - 1; j >= 0; j--)
			if (t->chunk[i][j])
				return i * FD_CHUNK + j + 1;
	}
	return 0;
}
