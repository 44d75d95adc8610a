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
#include <link.h>
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

/* glibc 2.35's lookup of the object holding a code address. GCC 12's
 * libgcc_s unwinder uses only this when its libc has it (no fallback), so it
 * must really answer, or every C++ exception the runtime throws ends in
 * std::terminate: the same answer from musl's dl_iterate_phdr (x86-64
 * layout of glibc's struct dl_find_object; only dlfo_eh_frame is read). */
struct dl_find_object {
    unsigned long long dlfo_flags;
    void *dlfo_map_start;
    void *dlfo_map_end;
    void *dlfo_link_map;
    void *dlfo_eh_frame;
    unsigned long long dlfo_reserved[7];
};

struct find_request {
    uintptr_t pc;
    struct dl_find_object *result;
    int found;
};

static int find_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct find_request *request = data;
    uintptr_t low = UINTPTR_MAX, high = 0;
    int contains = 0;
    void *eh_frame = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD) {
            uintptr_t end = start + ph->p_memsz;
            if (start < low) low = start;
            if (end > high) high = end;
            if (request->pc >= start && request->pc < end) contains = 1;
        } else if (ph->p_type == PT_GNU_EH_FRAME) {
            eh_frame = (void *)start;
        }
    }
    if (!contains) return 0;
    request->result->dlfo_flags = 0;
    request->result->dlfo_map_start = (void *)low;
    request->result->dlfo_map_end = (void *)high;
    request->result->dlfo_link_map = NULL;
    request->result->dlfo_eh_frame = eh_frame;
    request->found = 1;
    return 1;
}

int _dl_find_object(void *pc, struct dl_find_object *result) {
    struct find_request request = {(uintptr_t)pc, result, 0};
    dl_iterate_phdr(find_object, &request);
    return request.found ? 0 : -1;
}

/* libgcc_s's CPU detection (__builtin_cpu_supports): Debian's libgcc_s.so.1
 * exports both only under a hidden symbol version, which musl's loader does
 * not bind, not even for libgcc_s's own references. Zero features: callers
 * take their generic paths. */
struct cpu_model {
    unsigned int vendor, type, subtype;
    unsigned int features[1];
};
struct cpu_model __cpu_model;
int __cpu_indicator_init(void) { return 0; }
