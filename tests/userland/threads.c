/*
 * pthreads: 8 threads adding to a counter under a mutex, joined, each returning a value through
 * pthread_exit and one through return; a producer/consumer queue with two condition variables
 * (3 producers, 3 consumers, a small ring, every item consumed exactly once); thread-local
 * storage (__thread and pthread_key_t with its destructor) private to each thread; a detached
 * thread; pthread_once; a barrier-like broadcast.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "ul.h"

#define THREADS 8
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long mine = 100;

static void *adder(void *arg)
{
	long id = (long)(intptr_t)arg;
	mine += id; /* thread-local: starts at 100 in every thread */
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 5000 == 0)
			sched_yield();
	}
	if (id % 2)
		pthread_exit((void *)(intptr_t)(mine * 10));
	return (void *)(intptr_t)(mine * 10);
}

static void mutex_and_join(void)
{
	pthread_t t[THREADS];
	int created = 0;
	for (long i = 0; i < THREADS; i++)
		created += pthread_create(&t[i], NULL, adder, (void *)(intptr_t)i) == 0;
	check(created == THREADS, "8 threads created");
	int values = 1;
	for (long i = 0; i < THREADS; i++) {
		void *ret = NULL;
		values &= pthread_join(t[i], &ret) == 0 && (intptr_t)ret == (100 + i) * 10;
	}
	check(values, "each join gets its thread's value (pthread_exit or return)");
	printf("counter: %ld\n", counter);
	check(counter == (long)THREADS * ROUNDS, "the mutex kept every increment");
	check(mine == 100, "the main thread's __thread variable is untouched");

	pthread_mutex_t m;
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	check(pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == EDEADLK, "an error-checking mutex: EDEADLK");
	check(pthread_mutex_trylock(&m) == EBUSY, "trylock of a held mutex: EBUSY");
	check(pthread_mutex_unlock(&m) == 0 && pthread_mutex_unlock(&m) == EPERM, "unlocking it twice: EPERM");
}

/* A ring of 4 items between producers and consumers. */
#define RING 4
#define PER_PRODUCER 3000
#define PRODUCERS 3
#define CONSUMERS 3
static struct {
	pthread_mutex_t m;
	pthread_cond_t not_full, not_empty;
	int items[RING];
	int head, count, done_producers;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};
static unsigned char seen[PRODUCERS * PER_PRODUCER];

static void *producer(void *arg)
{
	int base = (int)(intptr_t)arg * PER_PRODUCER;
	for (int i = 0; i < PER_PRODUCER; i++) {
		pthread_mutex_lock(&q.m);
		while (q.count == RING)
			pthread_cond_wait(&q.not_full, &q.m);
		q.items[(q.head + q.count++) % RING] = base + i;
		pthread_cond_signal(&q.not_empty);
		pthread_mutex_unlock(&q.m);
	}
	pthread_mutex_lock(&q.m);
	q.done_producers++;
	pthread_cond_broadcast(&q.not_empty);
	pthread_mutex_unlock(&q.m);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	long got = 0;
	for (;;) {
		pthread_mutex_lock(&q.m);
		while (q.count == 0 && q.done_producers < PRODUCERS)
			pthread_cond_wait(&q.not_empty, &q.m);
		if (q.count == 0) {
			pthread_mutex_unlock(&q.m);
			break;
		}
		int item = q.items[q.head];
		q.head = (q.head + 1) % RING;
		q.count--;
		seen[item]++;
		got++;
		pthread_cond_signal(&q.not_full);
		pthread_mutex_unlock(&q.m);
	}
	return (void *)got;
}

static void producer_consumer(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	for (long i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (long i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, producer, (void *)(intptr_t)i);
	long total = 0;
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < CONSUMERS; i++) {
		void *got;
		pthread_join(c[i], &got);
		total += (long)got;
	}
	int once = 1;
	for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++)
		once &= seen[i] == 1;
	printf("consumed: %ld\n", total);
	check(total == PRODUCERS * PER_PRODUCER && once, "every item produced was consumed exactly once");
}

static pthread_key_t key;
static int destructed;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void destructor(void *v)
{
	pthread_mutex_lock(&lock);
	destructed += (int)(intptr_t)v;
	pthread_mutex_unlock(&lock);
}

static void init_once(void)
{
	once_runs++;
}

static void *keyed(void *arg)
{
	pthread_once(&once, init_once);
	int ok = pthread_getspecific(key) == NULL;
	pthread_setspecific(key, arg);
	sched_yield();
	ok &= pthread_getspecific(key) == arg;
	return (void *)(intptr_t)ok;
}

static void thread_local(void)
{
	check(pthread_key_create(&key, destructor) == 0, "pthread_key_create");
	pthread_setspecific(key, (void *)1000);
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, keyed, (void *)(intptr_t)(i + 1));
	int ok = 1;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok &= (intptr_t)r == 1;
	}
	check(ok, "each thread sees its own key value");
	check(destructed == 1 + 2 + 3 + 4, "the destructor ran for each thread's value");
	check(pthread_getspecific(key) == (void *)1000, "the main thread's value stays");
	check(once_runs == 1, "pthread_once ran once");
}

static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int started, released;

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	started++;
	pthread_cond_broadcast(&go);
	while (!released)
		pthread_cond_wait(&go, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void broadcast_and_detach(void)
{
	pthread_t t[5];
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	pthread_mutex_lock(&lock);
	while (started < 5)
		pthread_cond_wait(&go, &lock);
	released = 1;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);
	int joined = 0;
	for (int i = 0; i < 5; i++)
		joined += pthread_join(t[i], NULL) == 0;
	check(joined == 5, "a broadcast wakes all 5 waiters");

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t d;
	released = 0;
	started = 0;
	check(pthread_create(&d, &attr, waiter, NULL) == 0, "a detached thread");
	pthread_mutex_lock(&lock);
	while (started < 1)
		pthread_cond_wait(&go, &lock);
	released = 1;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lock);
	int r = pthread_cond_timedwait(&go, &lock, &ts);
	pthread_mutex_unlock(&lock);
	check(r == ETIMEDOUT, "pthread_cond_timedwait with nobody signalling: ETIMEDOUT");
}

int main(void)
{
	mutex_and_join();
	producer_consumer();
	thread_local();
	broadcast_and_detach();
	return check_status();
}
