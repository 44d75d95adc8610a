// The thread-profiler exports declared exactly as the agent declares them
// (NewRelic.Agent.Core.LinuxNativeMethods: library "NewRelicProfiler", and
// WindowsNativeMethods: "NewRelic.Profiler.dll"; Cdecl, no custom resolver;
// GetCurrentExecutionEngineThreadId as in the profiler's own
// ProfiledMethods/Interop.cs), and the agent's readers of the returned
// memory (ThreadProfilingSampler.GetProfile, FidTypeMethodName).
//
// The agent picks its declarations by OS at run time; this app is built per
// platform (a Windows publish defines WINDOWS_AGENT_IMPORTS, see the .csproj),
// so the Linux build keeps exactly the methods the reference recordings of
// the original profiler show JIT-compiled (a run-time switch would add a
// static constructor and non-inlined dispatchers to every log).
using System.Runtime.InteropServices;

namespace ThreadProfileApp;

public struct ThreadSnapshot
{
    public UIntPtr ThreadId;
    public int ErrorCode;
    public UIntPtr[] FunctionIDs;
}

[StructLayout(LayoutKind.Sequential)]
public class FidTypeMethodName
{
    public UIntPtr FunctionID;
    [MarshalAs(UnmanagedType.LPWStr)]
    public string TypeName;
    [MarshalAs(UnmanagedType.LPWStr)]
    public string MethodName;
}

public static class NativeMethods
{
    public const int S_FALSE = 1;
    public const int E_FAIL = unchecked((int)0x80004005);
    public const int E_ABORT = unchecked((int)0x80004004);
    public const int E_INVALIDARG = unchecked((int)0x80070057);
    public const int E_UNEXPECTED = unchecked((int)0x8000FFFF);

#if WINDOWS_AGENT_IMPORTS
    private const string DllName = "NewRelic.Profiler.dll";
#else
    private const string DllName = "NewRelicProfiler";
#endif

    [DllImport(DllName, EntryPoint = "ShutdownThreadProfiler", CallingConvention = CallingConvention.Cdecl)]
    private static extern void ExternShutdownThreadProfiler();

    [DllImport(DllName, EntryPoint = "ReleaseProfile", CallingConvention = CallingConvention.Cdecl)]
    private static extern void ExternReleaseProfile();

    [DllImport(DllName, EntryPoint = "RequestProfile", CallingConvention = CallingConvention.Cdecl)]
    private static extern int ExternRequestProfile([Out] out IntPtr snapshots, [Out] out int length);

    [DllImport(DllName, EntryPoint = "RequestFunctionNames", CallingConvention = CallingConvention.Cdecl)]
    private static extern int ExternRequestFunctionNames(UIntPtr[] functionIds, int length, [Out] out IntPtr functionInfo);

    [DllImport(DllName, CallingConvention = CallingConvention.Cdecl)]
    public static extern UIntPtr GetCurrentExecutionEngineThreadId();

    // Only to pass null pointers where the agent's declarations cannot.
    [DllImport(DllName, EntryPoint = "RequestProfile", CallingConvention = CallingConvention.Cdecl)]
    public static extern int RequestProfileRaw(IntPtr snapshots, IntPtr length);

    [DllImport(DllName, EntryPoint = "RequestFunctionNames", CallingConvention = CallingConvention.Cdecl)]
    public static extern int RequestFunctionNamesRaw(IntPtr functionIds, int length, IntPtr results);

    public static void ReleaseProfile() => ExternReleaseProfile();
    public static void ShutdownThreadProfiler() => ExternShutdownThreadProfiler();
    public static int RequestProfile(out IntPtr snapshots, out int length) => ExternRequestProfile(out snapshots, out length);
    public static int RequestFunctionNames(UIntPtr[] functionIds, int length, out IntPtr functionInfo) =>
        ExternRequestFunctionNames(functionIds, length, out functionInfo);

    private static UIntPtr ReadUIntPtr(IntPtr address) =>
        UIntPtr.Size == sizeof(uint)
            ? new UIntPtr(unchecked((uint)Marshal.ReadInt32(address)))
            : new UIntPtr(unchecked((ulong)Marshal.ReadInt64(address)));

    /// The agent's ThreadProfilingSampler.GetProfile, field by field.
    public static ThreadSnapshot[] GetProfile(out int hresult)
    {
        hresult = RequestProfile(out IntPtr nativeSnapshots, out int snapshotLength);
        if (hresult >= 0 && IntPtr.Zero != nativeSnapshots && snapshotLength > 0)
        {
            var marshalledSnapshots = new ThreadSnapshot[snapshotLength];
            for (int indx = 0; indx != snapshotLength; ++indx)
            {
                var marshalled = new ThreadSnapshot();
                marshalled.ThreadId = ReadUIntPtr(nativeSnapshots);
                nativeSnapshots += UIntPtr.Size;
                marshalled.ErrorCode = Marshal.ReadInt32(nativeSnapshots);
                nativeSnapshots += sizeof(int);
                if (marshalled.ErrorCode >= 0)
                {
                    var countOfSnapshots = Marshal.ReadInt32(nativeSnapshots);
                    nativeSnapshots += sizeof(int);
                    marshalled.FunctionIDs = new UIntPtr[countOfSnapshots];
                    if (countOfSnapshots > 0)
                    {
                        var functionIdPointer = Marshal.ReadIntPtr(nativeSnapshots);
                        for (int fidx = 0; fidx != countOfSnapshots; ++fidx, functionIdPointer += IntPtr.Size)
                        {
                            marshalled.FunctionIDs[fidx] = ReadUIntPtr(functionIdPointer);
                        }
                    }
                    nativeSnapshots += IntPtr.Size;
                }
                else
                {
                    nativeSnapshots += sizeof(int) + IntPtr.Size;
                }
                marshalledSnapshots[indx] = marshalled;
            }
            return marshalledSnapshots;
        }
        return new ThreadSnapshot[0];
    }

    public static ThreadSnapshot[] GetProfileWithRelease(out int hresult)
    {
        try
        {
            return GetProfile(out hresult);
        }
        finally
        {
            ReleaseProfile();
        }
    }

    /// ProfiledMethods/Interop.cs GetFunctionInfo: PtrToStructure, stepping by SizeOf.
    public static FidTypeMethodName[] GetFunctionInfo(UIntPtr[] functionIds, out int hresult)
    {
        var res = new FidTypeMethodName[functionIds.Length];
        hresult = RequestFunctionNames(functionIds, res.Length, out IntPtr functionInfo);
        if (hresult == 0)
        {
            for (int idx = 0; idx != res.Length; ++idx)
            {
                res[idx] = Marshal.PtrToStructure<FidTypeMethodName>(functionInfo);
                functionInfo += Marshal.SizeOf(res[idx]);
            }
        }
        return res;
    }
}
