// Method shapes the rewriter must survive, called by the "shapes" section:
// shared generics, struct methods (every layout), iterators, async state
// machines, stackalloc, fixed, pointers, function pointers, TypedReference,
// spans and other byref-like parameters and returns, `allows ref struct`
// generics, ref returns, exception filters, static abstract and default
// interface members, and a `tail.`-prefixed call emitted at run time
// (C# never emits `tail.`).
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Everything;

public class GenericBox<T>
{
    private readonly T _value;
    public GenericBox(T value) { _value = value; }
    public T Echo(T other) => other is null ? _value : other;
    public string Describe<U>(U extra) => $"{_value}/{extra}";
    public class Inner<V>
    {
        public string Pair(T t, V v) => $"{t}+{v}";
    }
}

public struct SequentialPoint
{
    public int X, Y;
    public int Sum() => X + Y;
    public string Generic<T>(T value) => value + ":" + Sum();
}

[StructLayout(LayoutKind.Auto)]
public struct AutoPoint
{
    public int X, Y;
    public int Product() => X * Y;
    public string Generic<T>(T value) => value + "*" + Product();
}

[StructLayout(LayoutKind.Explicit)]
public struct Union
{
    [FieldOffset(0)] public int Int;
    [FieldOffset(0)] public float Float;
    public string Bits() => Int.ToString("x8");
}

public ref struct Cursor
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;
    public Cursor(ReadOnlySpan<char> text) { _text = text; _position = 0; }
    public bool Next(out char c)
    {
        if (_position < _text.Length) { c = _text[_position++]; return true; }
        c = default;
        return false;
    }
}

public interface IMakeable<TSelf> where TSelf : IMakeable<TSelf>
{
    static abstract TSelf Make(int seed);
    int Seed { get; }
    string Show() => "made " + Seed;
}

public sealed class Made : IMakeable<Made>
{
    public int Seed { get; private init; }
    public static Made Make(int seed) => new() { Seed = seed * 2 };
}

public static class Shapes
{
    public static unsafe string Run()
    {
        var d = new Digest();
        // Shared generic code (reference types) and unshared (value types).
        d.Add(new GenericBox<string>("s").Echo(null)).Add(new GenericBox<object>(1).Echo("o"));
        d.Add(new GenericBox<List<int>>(new List<int> { 1 }).Describe("x")).Add(new GenericBox<int>(5).Describe(2.5));
        d.Add(new GenericBox<string>.Inner<int>().Pair("a", 1)).Add(new GenericBox<long>.Inner<string>().Pair(2, "b"));
        d.Add(Identity<string>("id")).Add(Identity<Version>(new Version(1, 2))).Add(Identity(3));
        // Struct methods.
        var sp = new SequentialPoint { X = 2, Y = 3 };
        var ap = new AutoPoint { X = 4, Y = 5 };
        var un = new Union { Float = 1.5f };
        d.Add(sp.Sum()).Add(sp.Generic("g")).Add(ap.Product()).Add(ap.Generic(7)).Add(ap.Generic("s")).Add(un.Bits());
        // Iterators and async.
        d.Add(string.Join(",", Squares(6))).Add(string.Join(",", Squares(3).Where(x => x > 1)));
        d.Add(AsyncSum(5).GetAwaiter().GetResult()).Add(AsyncValue(6).AsTask().GetAwaiter().GetResult());
        d.Add(AsyncStream().GetAwaiter().GetResult());
        // stackalloc, fixed, pointers, function pointers.
        d.Add(StackSum(16)).Add(PointerStack(8)).Add(FixedChecksum("fixed text"));
        var numbers = new[] { 10, 20, 30 };
        fixed (int* p = numbers)
        {
            d.Add(*Advance(p, 2)).Add(ReadThrough(p));
        }
        d.Add(Apply(&Twice, 21));
        // TypedReference, spans, ref structs, allows-ref-struct generics.
        var local = 42;
        d.Add(TypeOf(__makeref(local)));
        Span<int> span = stackalloc int[] { 1, 2, 3, 4 };
        d.Add(SpanSum(span)).Add(Trim("  padded  ".AsSpan()).ToString()).Add(Slice(span, 2).Length);
        d.Add(CountLetters(new Cursor("ab1c2")));
        d.Add(Measure(span)).Add(Measure(7)).Add(Measure("str"));
        d.Add(ReadOnly(in local)).Add(Pick(numbers, 1) += 5).Add(numbers[1]);
        // Exception filters and exceptions through instrumented frames.
        d.Add(Filtered(1)).Add(Filtered(2)).Add(Filtered(3));
        // Static abstract and default interface members.
        d.Add(Build<Made>(4).Seed).Add(((IMakeable<Made>)Made.Make(3)).Show());
        // A huge method.
        d.Add(Huge.Compute(3)).Add(Huge.Compute(11));
        // tail.-prefixed calls, emitted at run time.
        d.Add(TailCalls.Run());
        return d.ToString();
    }

    public static T Identity<T>(T value) => value;

    public static IEnumerable<int> Squares(int n)
    {
        for (var i = 0; i < n; i++)
        {
            yield return i * i;
        }
    }

    public static async Task<int> AsyncSum(int n)
    {
        var total = 0;
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            total += i;
        }
        return total;
    }

    public static async ValueTask<int> AsyncValue(int n)
    {
        await Task.Delay(1);
        return n * 7;
    }

    public static async IAsyncEnumerable<int> Countdown(int n)
    {
        while (n > 0)
        {
            await Task.Yield();
            yield return n--;
        }
    }

    public static async Task<string> AsyncStream()
    {
        var seen = new List<int>();
        await foreach (var x in Countdown(4))
        {
            seen.Add(x);
        }
        return string.Join(">", seen);
    }

    public static int StackSum(int n)
    {
        Span<int> values = stackalloc int[n];
        for (var i = 0; i < n; i++) values[i] = i * 3;
        var sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }

    public static unsafe long PointerStack(int n)
    {
        long* p = stackalloc long[n];
        for (var i = 0; i < n; i++) p[i] = 1L << i;
        long sum = 0;
        for (var i = 0; i < n; i++) sum += p[i];
        return sum;
    }

    public static unsafe int FixedChecksum(string text)
    {
        var sum = 0;
        fixed (char* p = text)
        {
            for (var i = 0; i < text.Length; i++) sum = sum * 31 + p[i];
        }
        return sum;
    }

    public static unsafe int* Advance(int* p, int by) => p + by;

    public static unsafe int ReadThrough(int* p) => p[0] + p[1];

    public static int Twice(int x) => x * 2;

    public static unsafe int Apply(delegate*<int, int> f, int x) => f(x);

    public static string TypeOf(TypedReference reference) => __reftype(reference).Name + "=" + __refvalue(reference, int);

    public static int SpanSum(Span<int> values)
    {
        var sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }

    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> text) => text.Trim();

    public static Span<int> Slice(Span<int> values, int start) => values.Slice(start);

    public static int CountLetters(Cursor cursor)
    {
        var letters = 0;
        while (cursor.Next(out var c))
        {
            if (char.IsLetter(c)) letters++;
        }
        return letters;
    }

    public static string Measure<T>(T value) where T : allows ref struct => typeof(T).Name;

    public static int ReadOnly(in int value) => value + 1;

    public static ref int Pick(int[] values, int index) => ref values[index];

    public static string Filtered(int code)
    {
        try
        {
            throw new InvalidOperationException("code " + code);
        }
        catch (InvalidOperationException e) when (code == 1)
        {
            return "first " + e.Message;
        }
        catch (InvalidOperationException e) when (Log(e, code))
        {
            return "second " + e.Message;
        }
        catch (Exception e)
        {
            return "other " + e.Message;
        }
    }

    private static bool Log(Exception e, int code) => code == 2 && e.Message.Length > 0;

    public static T Build<T>(int seed) where T : IMakeable<T> => T.Make(seed);
}

/// Emits, saves and loads an assembly whose methods use `tail.` (and `jmp`),
/// which C# never emits, so the profiler meets them under the real runtime.
public static class TailCalls
{
    public const string AssemblyName = "EmittedTailCalls";

    public static string Run()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{AssemblyName}-{Environment.ProcessId}.dll");
        try
        {
            Emit(path);
            var type = Assembly.LoadFrom(path).GetType("Emitted.Chain");
            var caller = type.GetMethod("TailCaller").CreateDelegate<Func<int, int>>();
            var jumper = type.GetMethod("Jumper").CreateDelegate<Func<int, int>>();
            var plain = type.GetMethod("Target").CreateDelegate<Func<int, int>>();
            return $"{caller(1)},{caller(2)},{jumper(3)},{plain(4)}";
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void Emit(string path)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(AssemblyName), typeof(object).Assembly);
        var module = builder.DefineDynamicModule(AssemblyName);
        var type = module.DefineType("Emitted.Chain", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var attributes = MethodAttributes.Public | MethodAttributes.Static;
        var target = type.DefineMethod("Target", attributes, typeof(int), new[] { typeof(int) });
        var il = target.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, 100);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ret);
        var caller = type.DefineMethod("TailCaller", attributes, typeof(int), new[] { typeof(int) });
        il = caller.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4_2);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Tailcall);
        il.Emit(OpCodes.Call, target);
        il.Emit(OpCodes.Ret);
        var jumper = type.DefineMethod("Jumper", attributes, typeof(int), new[] { typeof(int) });
        il = jumper.GetILGenerator();
        il.Emit(OpCodes.Jmp, target);
        type.CreateType();
        builder.Save(path);
    }
}
