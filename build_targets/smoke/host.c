/*
 * Smoke host: loads the profiler library in its own ABI (glibc, musl,
 * aarch64 under qemu, Windows under wine) without any .NET runtime and
 * drives it the way the runtime and the managed agent would before the
 * profiler is initialised:
 *
 *   DllGetClassObject(any CLSID, IID_IClassFactory, &factory)
 *   factory->CreateInstance(NULL, IID_ICorProfilerCallback4, &cb)
 *   cb->QueryInterface(IID_IUnknown) / AddRef / Release
 *   every agent export that is present, before initialisation:
 *     InstrumentationRefresh, ReloadConfiguration, AddCustomInstrumentation,
 *     ApplyCustomInstrumentation -> E_FAIL
 *     RequestProfile, RequestFunctionNames -> E_UNEXPECTED
 *     GetCurrentExecutionEngineThreadId -> 0
 *     ReleaseProfile, ShutdownThreadProfiler -> return
 *   DllCanUnloadNow -> S_OK
 *   and, when NEW_RELIC_PROFILER_LOG_DIRECTORY is set, the profiler's log
 *   NewRelic.Profiler.<pid>.log there holds the "called before the
 *   profiler has been initialized" line.
 *
 * Usage: host <path to libNewRelicProfiler.so | NewRelic.Profiler.dll>
 * Prints one line per step and "smoke: OK" last; exits 0 only if every
 * step passed. Missing optional exports are reported ("absent"), not
 * failed: the artifact checks decide which exports are required.
 *
 * Builds with gcc, musl-gcc, zig cc and mingw-w64 (C99, no other deps).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#define CALL_COM __stdcall
#define CALL_C __cdecl
typedef HMODULE lib_t;
static lib_t lib_open(const char *p) { return LoadLibraryA(p); }
static void *lib_sym(lib_t l, const char *n) { return (void *)GetProcAddress(l, n); }
static const char *lib_error(void) {
    static char buf[64];
    snprintf(buf, sizeof buf, "Win32 error %lu", (unsigned long)GetLastError());
    return buf;
}
static unsigned long this_pid(void) { return (unsigned long)GetCurrentProcessId(); }
#define SEP "\\"
#else
#include <dlfcn.h>
#include <unistd.h>
#define CALL_COM
#define CALL_C
typedef void *lib_t;
/* The runtime's PAL LoadLibrary uses RTLD_LAZY too. */
static lib_t lib_open(const char *p) { return dlopen(p, RTLD_LAZY | RTLD_LOCAL); }
static void *lib_sym(lib_t l, const char *n) { return dlsym(l, n); }
static const char *lib_error(void) { return dlerror(); }
static unsigned long this_pid(void) { return (unsigned long)getpid(); }
#define SEP "/"
#endif

typedef int32_t HR;
typedef struct { uint32_t d1; uint16_t d2, d3; uint8_t d4[8]; } Guid;

#define S_OK_ 0
#define E_FAIL_ ((HR)0x80004005u)
#define E_UNEXPECTED_ ((HR)0x8000FFFFu)

static const Guid IID_IUnknown_ = {0x00000000, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
static const Guid IID_IClassFactory_ = {0x00000001, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
static const Guid IID_ICorProfilerCallback4_ = {
    0x7B63B2E3, 0x107D, 0x4d48, {0xB2, 0xF6, 0xF6, 0x1E, 0x22, 0x94, 0x70, 0xD2}};
/* The CoreCLR profiler GUID the agent uses; any CLSID is accepted. */
static const Guid CLSID_Profiler = {
    0x36032161, 0xFFC0, 0x4B61, {0xB5, 0x59, 0xF6, 0xC5, 0xD4, 0x1B, 0xAE, 0x5A}};

/* IUnknown slots 0..2; IClassFactory::CreateInstance is slot 3. */
typedef HR(CALL_COM *QueryInterfaceFn)(void *self, const Guid *riid, void **ppv);
typedef uint32_t(CALL_COM *AddRefFn)(void *self);
typedef uint32_t(CALL_COM *ReleaseFn)(void *self);
typedef HR(CALL_COM *CreateInstanceFn)(void *self, void *outer, const Guid *riid, void **ppv);

typedef HR(CALL_COM *DllGetClassObjectFn)(const Guid *clsid, const Guid *riid, void **ppv);
typedef HR(CALL_COM *DllCanUnloadNowFn)(void);
typedef HR(CALL_C *HrVoidFn)(void);
typedef HR(CALL_C *AddCustomFn)(const char *file, const char *xml);
typedef HR(CALL_C *RequestProfileFn)(void **snapshots, int *length);
typedef HR(CALL_C *RequestFunctionNamesFn)(uintptr_t *ids, int length, void **results);
typedef void(CALL_C *VoidFn)(void);
typedef uintptr_t(CALL_C *ThreadIdFn)(void);

static int failures = 0;

static void check(int ok, const char *what, long long got) {
    printf("smoke: %-62s %s", what, ok ? "ok" : "FAILED");
    if (!ok) {
        printf(" (got 0x%llx)", (unsigned long long)got);
        failures++;
    }
    printf("\n");
    fflush(stdout);
}

static void **vtbl(void *obj) { return *(void ***)obj; }

static int file_contains(const char *path, const char *needle) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <profiler library>\n", argv[0]);
        return 2;
    }
    printf("smoke: host built for %d-bit, loading %s\n", (int)(sizeof(void *) * 8), argv[1]);
    lib_t lib = lib_open(argv[1]);
    if (!lib) {
        printf("smoke: load FAILED: %s\n", lib_error());
        return 1;
    }
    check(1, "library loaded", 0);

    DllGetClassObjectFn get_class = (DllGetClassObjectFn)lib_sym(lib, "DllGetClassObject");
    DllCanUnloadNowFn can_unload = (DllCanUnloadNowFn)lib_sym(lib, "DllCanUnloadNow");
    check(get_class != NULL, "DllGetClassObject resolved", 0);
    check(can_unload != NULL, "DllCanUnloadNow resolved", 0);
    if (!get_class || !can_unload) return 1;

    void *factory = NULL;
    HR hr = get_class(&CLSID_Profiler, &IID_IClassFactory_, &factory);
    check(hr == S_OK_ && factory != NULL, "DllGetClassObject(IID_IClassFactory) = S_OK", hr);
    if (!factory) return 1;

    void *cb = NULL;
    hr = ((CreateInstanceFn)vtbl(factory)[3])(factory, NULL, &IID_ICorProfilerCallback4_, &cb);
    check(hr == S_OK_ && cb != NULL, "CreateInstance(ICorProfilerCallback4) = S_OK", hr);
    if (!cb) return 1;

    void *unk = NULL;
    hr = ((QueryInterfaceFn)vtbl(cb)[0])(cb, &IID_IUnknown_, &unk);
    check(hr == S_OK_ && unk != NULL, "QueryInterface(IID_IUnknown) = S_OK", hr);
    uint32_t refs = ((AddRefFn)vtbl(cb)[1])(cb);
    check(refs >= 2, "AddRef counts up", refs);
    refs = ((ReleaseFn)vtbl(cb)[2])(cb);
    check(refs >= 1, "Release counts down", refs);
    if (unk) ((ReleaseFn)vtbl(unk)[2])(unk);
    ((ReleaseFn)vtbl(cb)[2])(cb);
    ((ReleaseFn)vtbl(factory)[2])(factory);

    /* The agent exports, before any runtime initialised the profiler. */
    const char *hr_exports[] = {"InstrumentationRefresh", "ReloadConfiguration",
                                "ApplyCustomInstrumentation"};
    for (size_t i = 0; i < sizeof hr_exports / sizeof hr_exports[0]; i++) {
        char what[96];
        HrVoidFn f = (HrVoidFn)lib_sym(lib, hr_exports[i]);
        if (!f) {
            printf("smoke: %-62s absent\n", hr_exports[i]);
            continue;
        }
        snprintf(what, sizeof what, "%s() = E_FAIL before initialisation", hr_exports[i]);
        hr = f();
        check(hr == E_FAIL_, what, hr);
    }
    AddCustomFn add = (AddCustomFn)lib_sym(lib, "AddCustomInstrumentation");
    if (add) {
        hr = add("smoke.xml", "<extension/>");
        check(hr == E_FAIL_, "AddCustomInstrumentation() = E_FAIL before initialisation", hr);
    } else {
        printf("smoke: %-62s absent\n", "AddCustomInstrumentation");
    }
    RequestProfileFn request = (RequestProfileFn)lib_sym(lib, "RequestProfile");
    if (request) {
        void *snapshots = NULL;
        int length = 0;
        hr = request(&snapshots, &length);
        check(hr == E_UNEXPECTED_, "RequestProfile() = E_UNEXPECTED before initialisation", hr);
    } else {
        printf("smoke: %-62s absent\n", "RequestProfile");
    }
    RequestFunctionNamesFn names = (RequestFunctionNamesFn)lib_sym(lib, "RequestFunctionNames");
    if (names) {
        uintptr_t ids[1] = {1};
        void *results = NULL;
        hr = names(ids, 1, &results);
        check(hr == E_UNEXPECTED_, "RequestFunctionNames() = E_UNEXPECTED before initialisation",
              hr);
    } else {
        printf("smoke: %-62s absent\n", "RequestFunctionNames");
    }
    ThreadIdFn thread_id = (ThreadIdFn)lib_sym(lib, "GetCurrentExecutionEngineThreadId");
    if (thread_id) {
        uintptr_t id = thread_id();
        check(id == 0, "GetCurrentExecutionEngineThreadId() = 0 before initialisation",
              (long long)id);
    } else {
        printf("smoke: %-62s absent\n", "GetCurrentExecutionEngineThreadId");
    }
    const char *void_exports[] = {"ReleaseProfile", "ShutdownThreadProfiler"};
    for (size_t i = 0; i < 2; i++) {
        char what[96];
        VoidFn f = (VoidFn)lib_sym(lib, void_exports[i]);
        if (!f) {
            printf("smoke: %-62s absent\n", void_exports[i]);
            continue;
        }
        f();
        snprintf(what, sizeof what, "%s() returns", void_exports[i]);
        check(1, what, 0);
    }

    hr = can_unload();
    check(hr == S_OK_, "DllCanUnloadNow() = S_OK", hr);

    const char *dir = getenv("NEW_RELIC_PROFILER_LOG_DIRECTORY");
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s" SEP "NewRelic.Profiler.%lu.log", dir, this_pid());
        check(file_contains(path, "entry point called before the profiler has been initialized"),
              "profiler log has the not-initialised line", 0);
    }

    if (failures) {
        printf("smoke: FAILED (%d)\n", failures);
        return 1;
    }
    printf("smoke: OK\n");
    return 0;
}
