/*
 * The smallest CLR profiler there is, as the baseline of the bail-out
 * measurement (docs/performance.md): DllGetClassObject hands out a class
 * factory whose object answers every QueryInterface with itself and whose
 * Initialize (ICorProfilerCallback slot 3) cancels the activation. What S1
 * costs beyond this library is the profiler's own bail-out work; what this
 * library costs over S0 is the runtime loading and dropping any profiler.
 * Every other slot returns S_OK without looking at its arguments (on the
 * x86-64 and AArch64 C ABIs that is safe for any signature).
 */
#include <stdint.h>

typedef int32_t HRESULT;
typedef struct object { void **vtable; } object;

#define CORPROF_E_PROFILER_CANCEL_ACTIVATION ((HRESULT)0x80131375)
#define CALLBACK_SLOTS 128

static HRESULT ok(void) { return 0; }
static uint32_t ref_count(void *self) { (void)self; return 1; }
static HRESULT query_interface(void *self, const void *iid, void **out) {
    (void)iid;
    *out = self;
    return 0;
}
static HRESULT initialize(void *self, void *info) {
    (void)self;
    (void)info;
    return CORPROF_E_PROFILER_CANCEL_ACTIVATION;
}

static void *callback_vtable[CALLBACK_SLOTS];
static object callback = {callback_vtable};

static HRESULT create_instance(void *self, void *outer, const void *iid, void **out) {
    (void)self;
    (void)outer;
    (void)iid;
    callback_vtable[0] = (void *)query_interface;
    callback_vtable[1] = (void *)ref_count;
    callback_vtable[2] = (void *)ref_count;
    callback_vtable[3] = (void *)initialize;
    for (int i = 4; i < CALLBACK_SLOTS; i++)
        callback_vtable[i] = (void *)ok;
    *out = &callback;
    return 0;
}

static void *factory_vtable[] = {
    (void *)query_interface, (void *)ref_count, (void *)ref_count,
    (void *)create_instance, (void *)ok,
};
static object factory = {factory_vtable};

__attribute__((visibility("default"))) HRESULT DllGetClassObject(const void *clsid, const void *iid,
                                                                  void **out) {
    (void)clsid;
    (void)iid;
    *out = &factory;
    return 0;
}
