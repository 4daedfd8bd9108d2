/*
 * The filesystem service's protocol, shared by the server (services/filesystem) and the client
 * API (<ecl/fs.h>). A client ipc_calls the pid registered as FS_SERVICE_NAME with a request: the
 * message type is the operation, the data a struct fs_request (its head, then a path or the bytes
 * to write). The reply has the same type and carries a struct fs_reply: a status (-errno, or the
 * operation's result) then the bytes read, a file's stat or a list entry.
 *
 * The namespace is flat: a file is named by its absolute path, up to FS_PATH_MAX - 1 bytes.
 * Files seeded from the boot image are read-only (writing or unlinking them is EROFS).
 */
#ifndef ECL_FS_PROTOCOL_H
#define ECL_FS_PROTOCOL_H

#include <eclipse.h>
#include <stddef.h>
#include <stdint.h>

#define FS_SERVICE_NAME "filesystem"
#define FS_PATH_MAX 128 /* with the NUL */
#define FS_HEAD_SIZE 8  /* the head of a request or reply: before its path or bytes */
#define FS_DATA_MAX (IPC_PAYLOAD_MAX - FS_HEAD_SIZE) /* bytes per read or write message */

/* The service's limits: files (ENOSPC), bytes in one (ENOSPC), open handles (EMFILE; those of
 * processes that have exited are reclaimed first). */
#define FS_FILES_MAX 64
#define FS_FILE_SIZE_MAX (256 * 1024)
#define FS_HANDLES_MAX 64

/* The operations, as message types. */
enum fs_op {
	FS_OPEN = 1, /* path, arg O_* flags (O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC, O_APPEND) -> handle */
	FS_READ,     /* handle, arg bytes wanted -> bytes read (0 at the end), then the bytes */
	FS_WRITE,    /* handle, then the bytes -> bytes written (fewer only at FS_FILE_SIZE_MAX) */
	FS_CLOSE,    /* handle -> 0 */
	FS_UNLINK,   /* path -> 0; handles open on the file keep it until they are closed */
	FS_LIST,     /* arg index -> 1 and the index-th entry in path order, or 0 past the last */
	FS_STAT,     /* path -> 0 and its stat */
};

struct fs_stat {
	uint64_t size;
	uint32_t mode; /* S_IFREG | 0444 (seeded, read-only) or S_IFREG | 0644 */
	uint32_t reserved;
};

struct fs_dirent {
	struct fs_stat stat;
	char name[FS_PATH_MAX];
};

struct fs_request {
	int32_t handle; /* READ, WRITE, CLOSE */
	uint32_t arg;   /* OPEN: flags; READ: bytes wanted; LIST: the entry's index */
	union {
		char path[FS_PATH_MAX];         /* OPEN, UNLINK, STAT: with its NUL */
		unsigned char data[FS_DATA_MAX]; /* WRITE: as many as the message's len says */
	} u;
};

struct fs_reply {
	int32_t status; /* -errno, or the result the operation's comment gives */
	uint32_t reserved;
	union {
		unsigned char data[FS_DATA_MAX]; /* READ */
		struct fs_stat stat;             /* STAT */
		struct fs_dirent entry;          /* LIST */
	} u;
};

/* A filesystem message: the IPC message it travels as, seen as a request or as a reply. */
union fs_msg {
	struct ipc_msg ipc;
	struct {
		unsigned char header[IPC_HEADER_SIZE];
		union {
			struct fs_request req;
			struct fs_reply rep;
		};
	};
};

_Static_assert(offsetof(struct fs_request, u) == FS_HEAD_SIZE, "request head");
_Static_assert(offsetof(struct fs_reply, u) == FS_HEAD_SIZE, "reply head");
_Static_assert(offsetof(union fs_msg, req) == offsetof(struct ipc_msg, data), "after the header");
_Static_assert(sizeof(union fs_msg) == sizeof(struct ipc_msg), "a filesystem message is an IPC message");

#endif
