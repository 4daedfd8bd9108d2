/* Open files are reference counted; descriptors are slots of a fixed table. */
#include <kernel/fd.h>
#include <kernel/kmalloc.h>
#include <uapi/eclipse.h>

struct file *file_new(enum file_kind kind, const struct file_ref *ref)
{
	struct file *f = kmalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->refs = 1;
	f->kind = kind;
	if (ref)
		f->ref = *ref;
	return f;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->kind == FILE_REGULAR)
		file_close(&f->ref);
	kfree(f);
}

int fd_init_console(struct fdtable *t)
{
	static const enum file_kind kinds[3] = {FILE_CONSOLE_IN, FILE_CONSOLE_OUT, FILE_CONSOLE_ERR};
	for (int i = 0; i < 3; i++) {
		if (!(t->fd[i] = file_new(kinds[i], NULL))) {
			fd_close_all(t);
			return -ENOMEM;
		}
	}
	return 0;
}

void fd_clone(struct fdtable *dst, const struct fdtable *src)
{
	for (int i = 0; i < FD_MAX; i++) {
		dst->fd[i] = src->fd[i];
		if (dst->fd[i])
			dst->fd[i]->refs++;
	}
}

void fd_close_all(struct fdtable *t)
{
	for (int i = 0; i < FD_MAX; i++)
		fd_close(t, i);
}

struct file *fd_get(const struct fdtable *t, int64_t fd)
{
	return fd >= 0 && fd < FD_MAX ? t->fd[fd] : NULL;
}

int fd_install(struct fdtable *t, struct file *f, int min)
{
	for (int i = min < 0 ? 0 : min; i < FD_MAX; i++)
		if (!t->fd[i]) {
			t->fd[i] = f;
			return i;
		}
	return -EMFILE;
}

int fd_close(struct fdtable *t, int64_t fd)
{
	struct file *f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	t->fd[fd] = NULL;
	file_put(f);
	return 0;
}
