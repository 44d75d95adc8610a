/*
 * Test scaffolding for the wine smoke test only (never packaged): Rust's
 * standard library imports ProcessPrng from bcryptprimitives.dll, which
 * every supported Windows (10 / Server 2016 and later) has but Wine 8.0
 * (Debian 12) does not. The build script builds this stub beside the smoke
 * host only when the Wine prefix lacks the DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
