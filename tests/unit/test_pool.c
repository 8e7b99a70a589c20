/* test_pool.c - the worker pool: every job once, FIFO, and a draining stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "http/pool.h"

#define NJOBS 2000

static atomic_int total;
static atomic_int runs[NJOBS];

static void count_job(void *arg)
{
    int i = (int)(intptr_t)arg;
    atomic_fetch_add(&runs[i], 1);
    atomic_fetch_add(&total, 1);
}

static void reset(void)
{
    atomic_store(&total, 0);
    for (int i = 0; i < NJOBS; i++)
        atomic_store(&runs[i], 0);
}

static void test_every_job_once(void **state)
{
    (void)state;
    reset();
    struct pool *p = NULL;
    assert_int_equal(pool_start(2, 0, &p), BB_OK);
    assert_non_null(p);
    for (int i = 0; i < NJOBS; i++)
        assert_int_equal(pool_submit(p, count_job, (void *)(intptr_t)i), BB_OK);
    pool_stop(p);
    assert_int_equal(atomic_load(&total), NJOBS);
    for (int i = 0; i < NJOBS; i++)
        if (atomic_load(&runs[i]) != 1)
            fail_msg("job %d ran %d times", i, atomic_load(&runs[i]));
}

static void slow_job(void *arg)
{
    struct timespec ts = {0, 2 * 1000 * 1000}; /* 2 ms */
    nanosleep(&ts, NULL);
    count_job(arg);
}

/* Jobs still queued when pool_stop is called run before it returns. */
static void test_stop_drains(void **state)
{
    (void)state;
    reset();
    struct pool *p = NULL;
    assert_int_equal(pool_start(2, 0, &p), BB_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(pool_submit(p, slow_job, (void *)(intptr_t)i), BB_OK);
    /* ~100 ms of work on 2 threads: most of it is still queued now */
    assert_true(atomic_load(&total) < 100);
    pool_stop(p);
    assert_int_equal(atomic_load(&total), 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(atomic_load(&runs[i]), 1);
}

static int order[NJOBS];
static atomic_int next_slot;

static void order_job(void *arg)
{
    order[atomic_fetch_add(&next_slot, 1)] = (int)(intptr_t)arg;
}

static void test_fifo_single_thread(void **state)
{
    (void)state;
    atomic_store(&next_slot, 0);
    struct pool *p = NULL;
    assert_int_equal(pool_start(1, 0, &p), BB_OK);
    for (int i = 0; i < 500; i++)
        assert_int_equal(pool_submit(p, order_job, (void *)(intptr_t)i), BB_OK);
    pool_stop(p);
    assert_int_equal(atomic_load(&next_slot), 500);
    for (int i = 0; i < 500; i++)
        assert_int_equal(order[i], i);
}

static void test_idle_start_stop(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        struct pool *p = NULL;
        assert_int_equal(pool_start(3, 0, &p), BB_OK);
        pool_stop(p); /* no jobs: the idle workers wake and exit */
    }
    pool_stop(NULL);
}

static atomic_int seen_nice;

static void nice_job(void *arg)
{
    (void)arg;
    atomic_store(&seen_nice, getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)));
}

/* Workers run at the niceness asked for; 0 leaves them at the process's own. */
static void test_nice(void **state)
{
    (void)state;
    int base = getpriority(PRIO_PROCESS, 0);
    struct pool *p = NULL;
    atomic_store(&seen_nice, -100);
    assert_int_equal(pool_start(1, 0, &p), BB_OK);
    assert_int_equal(pool_submit(p, nice_job, NULL), BB_OK);
    pool_stop(p);
    assert_int_equal(atomic_load(&seen_nice), base);
    if (base > 10)
        skip(); /* an unprivileged process cannot lower its niceness back to 10 */
    atomic_store(&seen_nice, -100);
    assert_int_equal(pool_start(2, 10, &p), BB_OK);
    assert_int_equal(pool_submit(p, nice_job, NULL), BB_OK);
    pool_stop(p);
    assert_int_equal(atomic_load(&seen_nice), 10);
    /* the caller's own thread is untouched */
    assert_int_equal(getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)), base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_job_once),
        cmocka_unit_test(test_stop_drains),
        cmocka_unit_test(test_fifo_single_thread),
        cmocka_unit_test(test_idle_start_stop),
        cmocka_unit_test(test_nice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
