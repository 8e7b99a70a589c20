/* hello.c - the baseline: a hello-world libmicrohttpd server with the same threading options
 * as bangban serve, so benchmarks can say "x% of what the HTTP library alone can do".
 * Usage: bench_hello PORT THREADS (runs until killed). */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result hello(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *data,
                             size_t *size, void **ctx)
{
    (void)cls, (void)url, (void)method, (void)version, (void)data;
    static int first_call;
    if (!*ctx) { /* answer on the second call, as bangban does: else libmicrohttpd closes */
        *ctx = &first_call;
        return MHD_YES;
    }
    *size = 0;
    static const char body[] = "{\"status\":\"ok\"}";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)strtol(argv[1], NULL, 10),
        NULL, NULL, hello, NULL, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)strtol(argv[2], NULL, 10), MHD_OPTION_END);
    if (!d)
        return 1;
    pause();
    MHD_stop_daemon(d);
    return 0;
}
