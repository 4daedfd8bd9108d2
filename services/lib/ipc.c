/* Message passing and the service registry over the Eclipse calls 502-507, made with the C
 * library's syscall(), which turns a -errno result into -1 and errno. */
#include <ecl/ipc.h>
#include <unistd.h>

/* Delivers msg (its type, len and data; sender is set by the kernel) to pid; returns 0 or -1. */
int ipc_send(pid_t pid, const struct ipc_msg *msg, uint64_t timeout_ns)
{
	return (int)syscall(SYS_ipc_send, (long)pid, (long)msg, (long)timeout_ns);
}

/* Takes the next message from pid (0: from anyone) into *msg; returns the sender's pid or -1. */
pid_t ipc_receive(pid_t from, struct ipc_msg *msg, uint64_t timeout_ns)
{
	return (pid_t)syscall(SYS_ipc_receive, (long)from, (long)msg, (long)timeout_ns);
}

/* Sends req to pid and waits for its reply in *reply; returns 0 or -1. */
int ipc_call(pid_t pid, const struct ipc_msg *req, struct ipc_msg *reply, uint64_t timeout_ns)
{
	return (int)syscall(SYS_ipc_call, (long)pid, (long)req, (long)reply, (long)timeout_ns);
}

/* Answers the call of pid that we received; returns 0 or -1. */
int ipc_reply(pid_t pid, const struct ipc_msg *msg)
{
	return (int)syscall(SYS_ipc_reply, (long)pid, (long)msg);
}

/* Registers the caller under name until it exits; returns 0 or -1. */
int ipc_register(const char *name)
{
	return (int)syscall(SYS_ipc_register, (long)name);
}

/* Returns the pid registered under name, or -1. */
pid_t ipc_lookup(const char *name)
{
	return (pid_t)syscall(SYS_ipc_lookup, (long)name);
}
