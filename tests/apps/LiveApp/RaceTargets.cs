// Forty distinct small methods for the refresh race (each is JIT-compiled
// separately; all are instrumented by the test's extension file).
using System.Runtime.CompilerServices;

namespace LiveApp;

public static class RaceTargets
{
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M0(int x) => x + 0;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M1(int x) => x + 1;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M2(int x) => x + 2;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M3(int x) => x + 3;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M4(int x) => x + 4;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M5(int x) => x + 5;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M6(int x) => x + 6;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M7(int x) => x + 7;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M8(int x) => x + 8;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M9(int x) => x + 9;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M10(int x) => x + 10;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M11(int x) => x + 11;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M12(int x) => x + 12;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M13(int x) => x + 13;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M14(int x) => x + 14;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M15(int x) => x + 15;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M16(int x) => x + 16;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M17(int x) => x + 17;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M18(int x) => x + 18;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M19(int x) => x + 19;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M20(int x) => x + 20;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M21(int x) => x + 21;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M22(int x) => x + 22;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M23(int x) => x + 23;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M24(int x) => x + 24;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M25(int x) => x + 25;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M26(int x) => x + 26;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M27(int x) => x + 27;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M28(int x) => x + 28;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M29(int x) => x + 29;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M30(int x) => x + 30;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M31(int x) => x + 31;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M32(int x) => x + 32;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M33(int x) => x + 33;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M34(int x) => x + 34;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M35(int x) => x + 35;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M36(int x) => x + 36;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M37(int x) => x + 37;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M38(int x) => x + 38;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int M39(int x) => x + 39;

    public static int Call(int index, int x)
    {
        switch (index)
        {
                case 0: return RaceTargets.M0(x);
                case 1: return RaceTargets.M1(x);
                case 2: return RaceTargets.M2(x);
                case 3: return RaceTargets.M3(x);
                case 4: return RaceTargets.M4(x);
                case 5: return RaceTargets.M5(x);
                case 6: return RaceTargets.M6(x);
                case 7: return RaceTargets.M7(x);
                case 8: return RaceTargets.M8(x);
                case 9: return RaceTargets.M9(x);
                case 10: return RaceTargets.M10(x);
                case 11: return RaceTargets.M11(x);
                case 12: return RaceTargets.M12(x);
                case 13: return RaceTargets.M13(x);
                case 14: return RaceTargets.M14(x);
                case 15: return RaceTargets.M15(x);
                case 16: return RaceTargets.M16(x);
                case 17: return RaceTargets.M17(x);
                case 18: return RaceTargets.M18(x);
                case 19: return RaceTargets.M19(x);
                case 20: return RaceTargets.M20(x);
                case 21: return RaceTargets.M21(x);
                case 22: return RaceTargets.M22(x);
                case 23: return RaceTargets.M23(x);
                case 24: return RaceTargets.M24(x);
                case 25: return RaceTargets.M25(x);
                case 26: return RaceTargets.M26(x);
                case 27: return RaceTargets.M27(x);
                case 28: return RaceTargets.M28(x);
                case 29: return RaceTargets.M29(x);
                case 30: return RaceTargets.M30(x);
                case 31: return RaceTargets.M31(x);
                case 32: return RaceTargets.M32(x);
                case 33: return RaceTargets.M33(x);
                case 34: return RaceTargets.M34(x);
                case 35: return RaceTargets.M35(x);
                case 36: return RaceTargets.M36(x);
                case 37: return RaceTargets.M37(x);
                case 38: return RaceTargets.M38(x);
                case 39: return RaceTargets.M39(x);
                default: throw new ArgumentOutOfRangeException(nameof(index));
        }
    }
}
