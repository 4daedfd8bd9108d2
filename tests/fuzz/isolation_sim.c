/*
 * Isolation where only Eclipse can be asked (run under eclipse-sim with --root /, so that
 * execve finds this program at its host path):
 *   1. IPC payloads: a message or buffer at an address valid only in the partner fails with
 *      EFAULT and nothing is sent; a reply into read-only text fails the same way; a message
 *      delivers its len bytes and not one more of the sender's memory; a message received into
 *      a page shared copy-on-write lands in the receiver's copy alone.
 *   2. Program text shared by the image cache: a process that execs this program and makes its
 *      text writable changes its own copy, never the text the next exec of it gets.
 */
#include <ecl/ipc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../guest/check.h"
#include "../guest/proc.h"

#define PAGE 4096UL
#define CHILDS_PAGE ((char *)0x61000000UL) /* mapped by the child after fork only */
#define MS 1000000ULL
#define SECRET "the child's bytes after the message"

enum request { PROBE = 1, SHORT_REPLY, CHECK_SHARED, RECEIVE_INTO_SHARED, QUIT };

__attribute__((noinline, aligned(4096))) int victim(void)
{
	return 42;
}

/* Two pages each (room for a whole message) that both processes have from before the fork:
 * shared copy-on-write until one of them is written. */
#define SHARED_LEN (2 * PAGE)
static unsigned char *shared, *shared2;

static void fill(unsigned char *p, unsigned seed)
{
	for (unsigned long i = 0; i < SHARED_LEN; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int filled(const unsigned char *p, unsigned long from, unsigned seed)
{
	for (unsigned long i = from; i < SHARED_LEN; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void answer(pid_t to, long value)
{
	static struct ipc_msg m;
	m.type = 0;
	m.len = sizeof value;
	memcpy(m.data, &value, sizeof value);
	ipc_reply(to, &m);
}

/* The child: maps its own page, then answers the parent's calls. */
static int server(int parent)
{
	static struct ipc_msg req, probe, reply;
	char *mine = mmap(CHILDS_PAGE, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (mine != CHILDS_PAGE)
		return 1;
	memset(mine, 'c', PAGE);
	for (;;) {
		if (ipc_receive(parent, &req, IPC_FOREVER) != parent)
			return 1;
		switch (req.type) {
		case PROBE: /* did anything arrive besides this call? */
			answer(parent, ipc_receive(parent, &probe, 0) < 0 ? -errno : 0);
			break;
		case SHORT_REPLY: /* 8 bytes of data followed by a secret */
			memset(reply.data, 0, sizeof reply.data);
			memcpy(reply.data, "8 bytes!", 8);
			memcpy(reply.data + 8, SECRET, sizeof SECRET);
			reply.type = SHORT_REPLY;
			reply.len = 8;
			ipc_reply(parent, &reply);
			break;
		case CHECK_SHARED: /* our copies as they were at fork? */
			answer(parent, filled(shared, 0, 1) && filled(shared2, 0, 2));
			break;
		case RECEIVE_INTO_SHARED: { /* the next message goes into our copy of shared2 */
			answer(parent, 0);
			struct ipc_msg *m = (struct ipc_msg *)shared2;
			long got = ipc_receive(parent, m, IPC_FOREVER);
			long ok = got == parent && m->len == 64 && m->data[63] == 'm';
			reply.type = 0;
			reply.len = sizeof ok;
			memcpy(reply.data, &ok, sizeof ok);
			ipc_send(parent, &reply, IPC_FOREVER);
			break;
		}
		case QUIT:
			answer(parent, 0);
			return 0;
		default:
			return 1;
		}
	}
}

/* Calls the child with request type, the answer into *reply; returns the number it answers,
 * or -errno. */
static long ask(pid_t child, unsigned type, struct ipc_msg *reply)
{
	static struct ipc_msg req;
	req.type = type;
	req.len = 0;
	if (ipc_call(child, &req, reply, 1000 * MS) < 0)
		return -errno;
	long value;
	memcpy(&value, reply->data, sizeof value);
	return value;
}

static void test_ipc(void)
{
	static struct ipc_msg good, reply;
	shared = mmap(NULL, 2 * SHARED_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared2 = shared + SHARED_LEN;
	fill(shared, 1);
	fill(shared2, 2);
	pid_t child = spawn(server, getpid());
	check(child > 0, "parent: forks the server");
	check(ask(child, PROBE, &reply) == -EAGAIN, "the server is up, nothing queued");

	struct ipc_msg *theirs = (struct ipc_msg *)CHILDS_PAGE;
	good.type = 99;
	good.len = 64;
	memset(good.data, 'm', 64);
	check_errno(ipc_send(child, theirs, 0), EFAULT, "send from the child's address: EFAULT");
	check_errno(ipc_call(child, theirs, &reply, 0), EFAULT, "call from the child's address: EFAULT");
	check_errno(ipc_call(child, &good, theirs, 0), EFAULT,
		    "call with the reply at the child's address: EFAULT");
	check_errno(ipc_receive(child, theirs, 0), EFAULT, "receive to the child's address: EFAULT");
	check_errno(ipc_call(child, &good, (struct ipc_msg *)(uintptr_t)victim, 0), EFAULT,
		    "call with the reply into read-only text: EFAULT");
	/* A message whose payload runs off the end of its mapping. */
	char *edge = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(edge + PAGE, PAGE);
	struct ipc_msg *cut = (struct ipc_msg *)(edge + PAGE - IPC_HEADER_SIZE - 100);
	cut->type = 98;
	cut->len = 200;
	check_errno(ipc_send(child, cut, 0), EFAULT, "a payload running into unmapped memory: EFAULT");
	check(ask(child, PROBE, &reply) == -EAGAIN, "none of them reached the server");

	memset(&reply, 0xee, sizeof reply);
	long r = ask(child, SHORT_REPLY, &reply);
	int rest_untouched = 1;
	for (unsigned i = 8; i < IPC_PAYLOAD_MAX; i++)
		rest_untouched &= reply.data[i] == 0xee;
	check(r >= 0 && reply.len == 8 && reply.sender == child && !memcmp(reply.data, "8 bytes!", 8),
	      "a reply of 8 bytes arrives whole, with its sender");
	check(rest_untouched, "and not one byte of the sender's memory after them");

	/* The kernel writes a reply into our copy-on-write page, then a message into the child's. */
	struct ipc_msg *into_shared = (struct ipc_msg *)shared;
	check(ask(child, SHORT_REPLY, into_shared) >= 0 && into_shared->len == 8,
	      "parent: a reply into a page shared with the server");
	check(ask(child, CHECK_SHARED, &reply) == 1, "the server's copies: still as at fork");
	check(ask(child, RECEIVE_INTO_SHARED, &reply) == 0 && ipc_send(child, &good, 1000 * MS) == 0,
	      "parent: a message into the server's copy of another shared page");
	long delivered = 0;
	if (ipc_receive(child, &reply, 1000 * MS) == child)
		memcpy(&delivered, reply.data, sizeof delivered);
	check(delivered == 1, "the server found it there");
	check(filled(shared2, 0, 2), "parent: its copy of that page is unchanged");
	check(filled(shared, sizeof(struct ipc_msg), 1), "parent: past the reply, its page is as it was");
	check(ask(child, QUIT, &reply) == 0, "the server quits");
	int status = -1;
	check(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the server exited 0");
}

/* Under "modify": makes our text writable and changes it, then lingers while another runs. */
static int modify(void)
{
	unsigned char *text = (unsigned char *)(uintptr_t)victim;
	unsigned char before = text[0];
	if (mprotect(text, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
		return 1;
	text[0] = (unsigned char)~before;
	if (text[0] == before)
		return 1;
	sleep_ms(50);
	return 0;
}

static void test_shared_text(const char *self)
{
	unsigned char *text = (unsigned char *)(uintptr_t)victim;
	char expect[8];
	snprintf(expect, sizeof expect, "%u", text[0]);
	char *const modify_argv[] = {(char *)self, "modify", NULL};
	char *const verify_argv[] = {(char *)self, "verify", expect, NULL};
	pid_t writer = fork();
	if (writer == 0) {
		execve(self, modify_argv, NULL);
		_exit(127);
	}
	sleep_ms(10);
	pid_t reader = fork();
	if (reader == 0) {
		execve(self, verify_argv, NULL);
		_exit(127);
	}
	int ws = -1, rs = -1;
	check(waitpid(writer, &ws, 0) == writer && WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
	      "an exec of this program made its text writable and changed it");
	check(waitpid(reader, &rs, 0) == reader && WIFEXITED(rs) && WEXITSTATUS(rs) == 0,
	      "the next exec of it, meanwhile, got the original text");
	check(text[0] == (unsigned char)strtoul(expect, NULL, 10) && victim() == 42,
	      "our own text is unchanged");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "modify"))
		return modify();
	if (argc > 2 && !strcmp(argv[1], "verify"))
		return ((unsigned char *)(uintptr_t)victim)[0] == strtoul(argv[2], NULL, 10) &&
				       victim() == 42
			       ? 0
			       : 1;
	test_ipc();
	test_shared_text(argv[0]);
	return check_status();
}
