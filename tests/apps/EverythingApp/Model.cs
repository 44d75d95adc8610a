// The documents both serializers work on, and a deterministic generator.
using System.Runtime.Serialization;
using N = Newtonsoft.Json;
using S = System.Text.Json.Serialization;

namespace Everything;

public enum Status { Draft, Placed, Shipped, Delivered, Cancelled }

[Flags]
public enum Tags { None = 0, Gift = 1, Express = 2, Fragile = 4, Bulk = 8 }

/// A value type with its own converters in both libraries.
[N.JsonConverter(typeof(MoneyNewtonsoftConverter))]
[S.JsonConverter(typeof(MoneyStjConverter))]
public readonly struct Money : IEquatable<Money>
{
    public Money(long cents, string currency) { Cents = cents; Currency = currency; }
    public long Cents { get; }
    public string Currency { get; }
    public bool Equals(Money other) => Cents == other.Cents && Currency == other.Currency;
    public override bool Equals(object obj) => obj is Money m && Equals(m);
    public override int GetHashCode() => (int)Cents ^ (Currency?.Length ?? 0);
    public override string ToString() => $"{Cents / 100}.{Math.Abs(Cents % 100):00} {Currency}";
    public static Money Parse(string text)
    {
        var parts = text.Split(' ');
        var units = parts[0].Split('.');
        var sign = units[0].StartsWith('-') ? -1 : 1;
        return new Money(long.Parse(units[0]) * 100 + sign * long.Parse(units[1]), parts[1]);
    }
}

public sealed class Address
{
    public string Street { get; set; }
    public string City { get; set; }
    public string Country { get; set; } = "NZ";
    public int? PostCode { get; set; }
}

public class Customer
{
    public int Id { get; set; }
    public string Name { get; set; }
    public string Email { get; set; }
    public Address Address { get; set; }
    public DateTime Since { get; set; }
    public Dictionary<string, string> Attributes { get; set; } = new();
    [N.JsonIgnore, S.JsonIgnore]
    public string Secret { get; set; } = "hidden";
}

public sealed class LineItem
{
    [N.JsonProperty("sku", Order = 1), S.JsonPropertyName("sku"), S.JsonPropertyOrder(1)]
    public string Sku { get; set; }
    [N.JsonProperty(Order = 2), S.JsonPropertyOrder(2)]
    public int Quantity { get; set; }
    [N.JsonProperty(Order = 3), S.JsonPropertyOrder(3)]
    public Money Price { get; set; }
    [N.JsonProperty(Order = 4), S.JsonPropertyOrder(4)]
    public double? Weight { get; set; }
    [N.JsonProperty(Order = 5), S.JsonPropertyOrder(5)]
    public List<string> Notes { get; set; }
}

public class Order
{
    public Guid Id { get; set; }
    public long Number { get; set; }
    public Customer Customer { get; set; }
    public List<LineItem> Items { get; set; } = new();
    public Status Status { get; set; }
    public Tags Tags { get; set; }
    public DateTimeOffset Placed { get; set; }
    public TimeSpan? Window { get; set; }
    public decimal Discount { get; set; }
    public Dictionary<string, decimal> Taxes { get; set; } = new();
    public int[] Ratings { get; set; }
    public byte[] Signature { get; set; }
    public Uri Link { get; set; }
    public bool Paid { get; set; }
    public char Priority { get; set; }
    public float Score { get; set; }
    public Shape Package { get; set; }
    [N.JsonExtensionData, S.JsonExtensionData]
    public Dictionary<string, object> Extra { get; set; }
}

/// Polymorphic hierarchy: Newtonsoft through TypeNameHandling and a binder,
/// System.Text.Json through [JsonPolymorphic].
[S.JsonPolymorphic(TypeDiscriminatorPropertyName = "$kind")]
[S.JsonDerivedType(typeof(Circle), "circle")]
[S.JsonDerivedType(typeof(Rect), "rect")]
[S.JsonDerivedType(typeof(Composite), "composite")]
public abstract class Shape
{
    public string Label { get; set; }
    public abstract double Area();
}

public sealed class Circle : Shape
{
    public double Radius { get; set; }
    public override double Area() => Math.Round(Math.PI * Radius * Radius, 4);
}

public sealed class Rect : Shape
{
    public double Width { get; set; }
    public double Height { get; set; }
    public override double Area() => Width * Height;
}

public sealed class Composite : Shape
{
    public List<Shape> Parts { get; set; } = new();
    public override double Area() => Parts.Sum(p => p.Area());
}

/// Immutable type built through its constructor by both libraries.
public sealed class Point3
{
    [N.JsonConstructor, S.JsonConstructor]
    public Point3(int x, int y, int z) { X = x; Y = y; Z = z; }
    public int X { get; }
    public int Y { get; }
    public int Z { get; }
}

public record Person(string First, string Last, int Age, Status Status);

[DataContract]
public sealed class Contracted
{
    [DataMember(Name = "n", Order = 1)] public string Name { get; set; }
    [DataMember(Order = 2)] public int Count { get; set; }
    public string NotAMember { get; set; } = "skip";
    [N.JsonIgnore] public List<string> Log { get; } = new();
    [OnSerializing] internal void OnSerializing(StreamingContext c) => Log.Add("serializing");
    [OnDeserialized] internal void OnDeserialized(StreamingContext c) => Log.Add("deserialized");
}

public sealed class Conditional
{
    public string Always { get; set; }
    public string Sometimes { get; set; }
    public bool ShouldSerializeSometimes() => Sometimes != null && Sometimes.Length > 2;
}

/// Deterministic documents (a 64-bit LCG; no clocks, no random seeds).
public static class Corpus
{
    public sealed class Data
    {
        public List<Order> Orders { get; } = new();
        public List<Person> People { get; } = new();
        public List<string> RawJson { get; } = new();
    }

    private static ulong _state;

    private static int Next(int max)
    {
        _state = _state * 6364136223846793005 + 1442695040888963407;
        return (int)((_state >> 33) % (ulong)max);
    }

    private static string Word(int i) => new[] { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "ü-umlaut", "emoji-\U0001F600", "quote\"d", "tab\tbed", "" }[i % 13];

    public static Data Make(int size)
    {
        _state = 42;
        var data = new Data();
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < size; i++)
        {
            var customer = new Customer
            {
                Id = i,
                Name = Word(Next(100)) + " " + Word(i),
                Email = $"user{i}@example.com",
                Address = Next(4) == 0 ? null : new Address { Street = $"{Next(999)} {Word(Next(50))} St", City = Word(Next(50)), PostCode = Next(3) == 0 ? null : Next(9999) },
                Since = start.AddDays(Next(2000)).AddSeconds(Next(86400)),
            };
            for (var a = 0; a < Next(4); a++)
            {
                customer.Attributes[$"k{a}"] = Word(Next(50));
            }
            var order = new Order
            {
                Id = new Guid(i, (short)Next(1000), (short)Next(1000), 1, 2, 3, 4, 5, 6, 7, (byte)Next(255)),
                Number = 1_000_000_000_000L + i * 7919L,
                Customer = customer,
                Status = (Status)Next(5),
                Tags = (Tags)Next(16),
                Placed = new DateTimeOffset(start.AddMinutes(Next(1_000_000)).Ticks, TimeSpan.FromHours(Next(25) - 12)),
                Window = Next(2) == 0 ? null : TimeSpan.FromMinutes(Next(600)),
                Discount = Next(10000) / 100m,
                Ratings = Enumerable.Range(0, Next(6)).Select(_ => Next(5) + 1).ToArray(),
                Signature = Next(3) == 0 ? null : Enumerable.Range(0, Next(12)).Select(b => (byte)Next(256)).ToArray(),
                Link = new Uri($"https://example.com/orders/{i}?q={Next(100)}"),
                Paid = Next(2) == 1,
                Priority = (char)('A' + Next(5)),
                Score = Next(1000) / 8f,
                Package = MakeShape(0),
            };
            order.Taxes["gst"] = Next(2000) / 100m;
            if (Next(2) == 0) order.Taxes["levy"] = Next(500) / 100m;
            for (var l = 0; l < 1 + Next(5); l++)
            {
                order.Items.Add(new LineItem
                {
                    Sku = $"SKU-{Next(100000):D6}",
                    Quantity = 1 + Next(20),
                    Price = new Money(Next(100000) - 500, Next(3) == 0 ? "USD" : "NZD"),
                    Weight = Next(3) == 0 ? null : Next(10000) / 16.0,
                    Notes = Next(3) == 0 ? null : Enumerable.Range(0, Next(3)).Select(x => Word(Next(50))).ToList(),
                });
            }
            data.Orders.Add(order);
            data.People.Add(new Person(Word(Next(50)), Word(i), Next(100), (Status)Next(5)));
        }
        data.RawJson.AddRange(new[]
        {
            "{\"a\":1,\"b\":[1,2,3,{\"c\":null}],\"d\":{\"e\":\"f\",\"g\":true,\"h\":1.5e10}}",
            "[1,-2,3.25,\"x\",false,null,{\"deep\":[[[[[[[[\"down\"]]]]]]]]}]",
            "{\"store\":{\"book\":[{\"category\":\"ref\",\"price\":8.95,\"title\":\"Sayings\"},{\"category\":\"fiction\",\"price\":12.99,\"title\":\"Sword\"},{\"category\":\"fiction\",\"price\":22.99,\"title\":\"Rings\",\"isbn\":\"0-395\"}],\"bicycle\":{\"color\":\"red\",\"price\":19.95}}}",
            "{\"unicode\":\"\\u00e9\\u4e2d\\ud83d\\ude00\",\"escaped\":\"line\\nbreak \\\"quoted\\\" back\\\\slash\",\"big\":123456789012345678901234567890,\"neg\":-0.0,\"exp\":1E-7}",
            "{\"date\":\"2021-03-04T05:06:07.123Z\",\"offset\":\"2021-03-04T05:06:07+13:00\",\"guid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"empty\":{},\"emptyArr\":[]}",
        });
        for (var i = 0; i < size; i++)
        {
            data.RawJson.Add("{\"id\":" + i + ",\"tags\":[" + string.Join(",", Enumerable.Range(0, i % 7).Select(t => "\"t" + t + "\"")) + "],\"nested\":{\"level\":" + (i % 5) + ",\"value\":" + (i * 1.25).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}");
        }
        return data;
    }

    private static Shape MakeShape(int depth)
    {
        switch (Next(depth > 1 ? 2 : 3))
        {
            case 0: return new Circle { Label = "c" + Next(100), Radius = Next(100) / 4.0 };
            case 1: return new Rect { Label = "r" + Next(100), Width = Next(50), Height = Next(50) };
            default:
                var c = new Composite { Label = "group" };
                for (var i = 0; i < 1 + Next(3); i++) c.Parts.Add(MakeShape(depth + 1));
                return c;
        }
    }
}
