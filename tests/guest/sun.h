/* Shared by the AF_UNIX guest tests: struct sockaddr_un for a path or an abstract name, and the
 * length bind and connect take for it. */
#ifndef GUEST_SUN_H
#define GUEST_SUN_H

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static inline socklen_t path_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strcpy(sa->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static inline socklen_t abstract_addr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strcpy(sa->sun_path + 1, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

#endif
