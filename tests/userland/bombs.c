/*
 * Bombs, contained (eclipse-sim only: natively the limits are the host's, and a bomb there
 * would hurt the machine). Run with --max-procs=128.
 *
 * A thread bomb: threads are created until pthread_create fails; it must fail cleanly with
 * EAGAIN or ENOMEM, every thread made is joined, a thread can be made again, and the process
 * goes on to exit normally. A fork bomb: every process of a new process group forks for ever;
 * when fork first fails (EAGAIN) the bomb is killed as a group, every process is reaped, and
 * fork works again.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "ul.h"

#define MAX_THREADS 100000 /* a bound, in case the limit does not hold */

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int released, running;

static void *hold(void *arg)
{
	pthread_mutex_lock(&m);
	running++;
	while (!released)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return arg;
}

static pthread_t threads[MAX_THREADS];

static void thread_bomb(void)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 16384);
	int n = 0, err = 0;
	released = running = 0;
	while (n < MAX_THREADS && !(err = pthread_create(&threads[n], &attr, hold, (void *)(long)n)))
		n++;
	check(n < MAX_THREADS && (err == EAGAIN || err == ENOMEM), "pthread_create fails with EAGAIN or ENOMEM");
	check(n >= 8, "at least 8 threads were made before");
	pthread_mutex_lock(&m);
	released = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	int joined = 0;
	for (int i = 0; i < n; i++) {
		void *r;
		joined += pthread_join(threads[i], &r) == 0 && r == (void *)(long)i;
	}
	check(joined == n && running == n, "every thread ran and was joined with its value");
	pthread_t again;
	check(pthread_create(&again, NULL, hold, NULL) == 0 && pthread_join(again, NULL) == 0,
	      "a thread can be made again");
}

static void fork_bomb(void)
{
	int p[2];
	pipe(p);
	pid_t leader = fork();
	if (leader == 0) {
		setpgid(0, 0);
		close(p[0]);
		for (;;) {
			pid_t pid = fork();
			if (pid < 0) {
				char e = errno == EAGAIN ? 'A' : 'X';
				write(p[1], &e, 1);
				pause();
			}
		}
	}
	setpgid(leader, leader);
	close(p[1]);
	char first = 0;
	check(read(p[0], &first, 1) == 1 && first == 'A', "the bomb's fork fails with EAGAIN");
	int reaped = 0, st;
	for (;;) {
		kill(-leader, SIGKILL);
		pid_t pid = wait(&st);
		if (pid < 0)
			break;
		reaped++;
	}
	int err = errno;
	close(p[0]);
	check(err == ECHILD && reaped > 8, "the bomb is killed and every process reaped");
	pid_t pid = fork();
	if (pid == 0)
		_exit(5);
	check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "fork works again");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	thread_bomb();
	fork_bomb();
	thread_bomb();
	return check_status();
}
