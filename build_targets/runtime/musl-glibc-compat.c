/*
 * Test scaffolding for build_targets/runtime-check only (never packaged): the
 * few glibc symbols that Debian's glibc builds of libstdc++.so.6 and
 * libgcc_s.so.1 need and musl 1.2.3 lacks, so that the linux-musl-x64 .NET
 * runtime (whose host and runtime libraries need a C++ runtime) can run on a
 * Debian machine under musl's own loader. Built with musl-gcc and installed
 * as ld-linux-x86-64.so.2 — the glibc name those libraries list as NEEDED —
 * in a private folder on LD_LIBRARY_PATH; musl's loader maps libc.so.6 and
 * libm.so.6 to itself. Alpine's gcompat does the same for real systems; on
 * Alpine the runtime uses Alpine's own musl builds of libstdc++/libgcc_s.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

uint32_t arc4random(void) {
    uint32_t value = 0;
    while (getrandom(&value, sizeof value, 0) != sizeof value) {
    }
    return value;
}

void arc4random_buf(void *buffer, size_t length) {
    unsigned char *p = buffer;
    while (length > 0) {
        ssize_t got = getrandom(p, length, 0);
        if (got > 0) {
            p += got;
            length -= (size_t)got;
        }
    }
}

size_t __strftime_l(char *s, size_t max, const char *format, const struct tm *tm, locale_t locale) {
    return strftime_l(s, max, format, tm, locale);
}

/* glibc's hook for C++ thread_local destructors: run them at thread exit
 * through a pthread key (musl has no such hook). */
struct thread_dtor {
    void (*dtor)(void *);
    void *object;
    struct thread_dtor *next;
};
static pthread_key_t dtor_key;
static pthread_once_t dtor_once = PTHREAD_ONCE_INIT;

static void run_thread_dtors(void *head) {
    struct thread_dtor *d = head;
    while (d) {
        struct thread_dtor *next = d->next;
        d->dtor(d->object);
        free(d);
        d = next;
    }
}

static void make_dtor_key(void) { pthread_key_create(&dtor_key, run_thread_dtors); }

int __cxa_thread_atexit_impl(void (*dtor)(void *), void *object, void *dso) {
    (void)dso;
    pthread_once(&dtor_once, make_dtor_key);
    struct thread_dtor *d = malloc(sizeof *d);
    if (!d) return -1;
    d->dtor = dtor;
    d->object = object;
    d->next = pthread_getspecific(dtor_key);
    pthread_setspecific(dtor_key, d);
    return 0;
}

/* 0: "maybe several threads" — always the safe answer. */
char __libc_single_threaded = 0;

/* glibc 2.35's fast unwinder lookup: "not found" makes libgcc_s fall back
 * to dl_iterate_phdr, which musl has. */
struct dl_find_object;
int _dl_find_object(void *pc, struct dl_find_object *result) {
    (void)pc;
    (void)result;
    return -1;
}
