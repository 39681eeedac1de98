/*
 * ProcessPrng for Wine releases whose prefix has no bcryptprimitives.dll (Wine 8.0, as in
 * Debian 12). Rust's standard library takes its random bytes (HashMap keys) from
 * bcryptprimitives!ProcessPrng since Rust 1.78; without this export a Windows program
 * built by Rust fails to load under such a Wine. This DLL exports it, filling the buffer
 * with advapi32's RtlGenRandom (SystemFunction036). Only for running the tests under Wine:
 * Windows itself has the real one.
 */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
