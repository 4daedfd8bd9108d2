/* Named AF_UNIX stream sockets, as Linux has them: bound to a path (a socket node that stays
 * until unlinked) or to an abstract name; listen, connect, accept and the names each end
 * reports; data both ways, a child as the client; and the errors of each wrong step. Run
 * natively and on the sim, the outputs compared. */
#include "check.h"
#include "sun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char path[64], other[64], file[64];
	snprintf(path, sizeof(path), "/tmp/ecl-unix-%d.sock", (int)getpid());
	snprintf(other, sizeof(other), "/tmp/ecl-unix-%d.none", (int)getpid());
	snprintf(file, sizeof(file), "/tmp/ecl-unix-%d.file", (int)getpid());
	unlink(path);
	char buf[64] = {0};
	struct sockaddr_un sa, got;
	socklen_t len;

	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	check(l >= 0, "socket(AF_UNIX, SOCK_STREAM)");
	check(read(l, buf, 1) == -1 && errno == EINVAL, "read before connecting: EINVAL");
	check(write(l, "x", 1) == -1 && errno == ENOTCONN, "write before connecting: ENOTCONN");
	len = sizeof(got);
	check(getsockname(l, (struct sockaddr *)&got, &len) == 0 && len == sizeof(sa_family_t),
	      "getsockname before bind: the family alone");
	check(listen(l, 4) == -1 && errno == EINVAL, "listen before bind: EINVAL");
	socklen_t plen = path_addr(&sa, path);
	check(bind(l, (struct sockaddr *)&sa, plen) == 0, "bind to a path");
	check(bind(l, (struct sockaddr *)&sa, plen) == -1 && errno == EADDRINUSE, "bind again to the path: EADDRINUSE");
	struct stat st;
	check(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "the path is a socket node");
	len = sizeof(got);
	check(getsockname(l, (struct sockaddr *)&got, &len) == 0 && len == plen &&
	      !strcmp(got.sun_path, path), "getsockname: the path");
	int dup_ = socket(AF_UNIX, SOCK_STREAM, 0);
	check(bind(dup_, (struct sockaddr *)&sa, plen) == -1 && errno == EADDRINUSE,
	      "another bind to the path: EADDRINUSE");
	int c0 = socket(AF_UNIX, SOCK_STREAM, 0);
	check(connect(c0, (struct sockaddr *)&sa, plen) == -1 && errno == ECONNREFUSED,
	      "connect to a bound socket that does not listen: ECONNREFUSED");
	close(c0);
	check(listen(l, 4) == 0, "listen");
	int one = 0;
	len = sizeof(one);
	check(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &one, &len) == 0 && one == 1,
	      "SO_ACCEPTCONN: 1");
	fcntl(l, F_SETFL, O_NONBLOCK);
	check(accept(l, NULL, NULL) == -1 && errno == EAGAIN, "accept with nobody: EAGAIN");
	fcntl(l, F_SETFL, 0);

	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	check(connect(c, (struct sockaddr *)&sa, plen) == 0, "connect to the path");
	struct pollfd p = {l, POLLIN, 0};
	check(poll(&p, 1, 0) == 1 && (p.revents & POLLIN), "the listener polls readable");
	len = sizeof(got);
	memset(&got, 0xff, sizeof(got));
	int s = accept(l, (struct sockaddr *)&got, &len);
	check(s >= 0 && len == sizeof(sa_family_t) && got.sun_family == AF_UNIX,
	      "accept: the client's name is empty");
	len = sizeof(got);
	check(getpeername(c, (struct sockaddr *)&got, &len) == 0 && !strcmp(got.sun_path, path),
	      "the client's peer is the path");
	len = sizeof(got);
	check(getsockname(s, (struct sockaddr *)&got, &len) == 0 && !strcmp(got.sun_path, path),
	      "the accepted socket is named by the path");
	check(write(c, "hello", 5) == 5 && read(s, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
	      "client to server");
	check(send(s, "world", 5, 0) == 5 && recv(c, buf, sizeof(buf), 0) == 5 &&
	      !memcmp(buf, "world", 5), "server to client");
	check(connect(c, (struct sockaddr *)&sa, plen) == -1 && errno == EISCONN,
	      "connect again: EISCONN");
	close(s);
	check(read(c, buf, sizeof(buf)) == 0, "the server closed: the client reads the end");
	close(c);

	/* A connection the listener closes before accepting it is reset. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	char path2[80];
	snprintf(path2, sizeof(path2), "%s.2", path);
	unlink(path2);
	socklen_t p2len = path_addr(&sa, path2);
	bind(l2, (struct sockaddr *)&sa, p2len);
	listen(l2, 1);
	check(connect(c, (struct sockaddr *)&sa, p2len) == 0, "connect to a second listener");
	close(l2);
	check(read(c, buf, sizeof(buf)) == -1 && errno == ECONNRESET,
	      "it closes without accepting: ECONNRESET");
	close(c);
	unlink(path2);
	plen = path_addr(&sa, path);

	/* A child connects through an abstract name. */
	char name[32];
	snprintf(name, sizeof(name), "ecl-test-%d", (int)getpid());
	int al = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t alen = abstract_addr(&sa, name);
	check(bind(al, (struct sockaddr *)&sa, alen) == 0 && listen(al, 1) == 0,
	      "bind and listen on an abstract name");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int k = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(k, (struct sockaddr *)&sa, alen) != 0)
			_exit(1);
		write(k, "from the child", 14);
		_exit(0);
	}
	int as = accept4(al, NULL, NULL, SOCK_CLOEXEC);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	check(getsockopt(as, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.pid == pid &&
	      cred.uid == getuid() && clen == sizeof(cred), "SO_PEERCRED: the connecting child");
	memset(buf, 0, sizeof(buf));
	ssize_t n = 0, r;
	while ((r = read(as, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	check(n == 14 && !strcmp(buf, "from the child"), "the child's message, then the end");
	check(fcntl(as, F_GETFD) == FD_CLOEXEC, "accept4(SOCK_CLOEXEC)");
	int status;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child connected");
	len = sizeof(got);
	check(getsockname(al, (struct sockaddr *)&got, &len) == 0 && len == alen &&
	      got.sun_path[0] == 0 && !memcmp(got.sun_path + 1, name, strlen(name)),
	      "getsockname: the abstract name");
	close(as);
	close(al);

	c = socket(AF_UNIX, SOCK_STREAM, 0);
	path_addr(&sa, other);
	check(connect(c, (struct sockaddr *)&sa, plen) == -1 && errno == ENOENT,
	      "connect to a path that is not there: ENOENT");
	close(open(file, O_CREAT | O_WRONLY, 0600));
	plen = path_addr(&sa, file);
	check(connect(c, (struct sockaddr *)&sa, plen) == -1 && errno == ECONNREFUSED,
	      "connect to a regular file: ECONNREFUSED");
	abstract_addr(&sa, "ecl-nobody-listens");
	check(connect(c, (struct sockaddr *)&sa, alen) == -1 && errno == ECONNREFUSED,
	      "connect to an abstract name nobody has: ECONNREFUSED");
	sa.sun_family = AF_INET;
	check(bind(c, (struct sockaddr *)&sa, alen) == -1 && errno == EINVAL, "bind with AF_INET: EINVAL");
	check(shutdown(c, SHUT_WR) == 0, "shutdown unconnected: 0, as Linux");
	struct ucred none;
	socklen_t nclen = sizeof(none);
	check(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &none, &nclen) == 0 && none.pid == 0 &&
	      none.uid == (uid_t)-1, "SO_PEERCRED unconnected: pid 0, uid -1");
	int ab = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un fam = {.sun_family = AF_UNIX};
	len = sizeof(got);
	check(bind(ab, (struct sockaddr *)&fam, sizeof(sa_family_t)) == 0 &&
	      getsockname(ab, (struct sockaddr *)&got, &len) == 0 && len == 8 && got.sun_path[0] == 0,
	      "bind with the family alone: an abstract name of five hex digits");
	close(ab);
	int pair[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
	clen = sizeof(cred);
	check(getsockopt(pair[0], SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.pid == getpid(),
	      "SO_PEERCRED of a socketpair: this process");
	close(pair[0]);
	close(pair[1]);
	check(socket(AF_UNIX, SOCK_STREAM, 5) == -1 && errno == EPROTONOSUPPORT,
	      "protocol 5: EPROTONOSUPPORT");
	close(c);
	close(l);
	close(dup_);
	check(unlink(path) == 0 && unlink(file) == 0, "the socket node stays until unlinked");
	return check_status();
}
