// System.Text.Json workload: JsonSerializer (reflection and source-generated
// metadata), options, polymorphism, Utf8JsonReader/Utf8JsonWriter (ref
// structs, spans), JsonDocument, JsonNode, async streams, errors.
using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Everything;

public sealed class MoneyStjConverter : JsonConverter<Money>
{
    public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Money.Parse(reader.GetString());
    public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<Person>))]
[JsonSerializable(typeof(Address))]
[JsonSerializable(typeof(Point3[]))]
[JsonSerializable(typeof(Dictionary<string, int[]>))]
public partial class GeneratedContext : JsonSerializerContext
{
}

public static class StjWork
{
    private static readonly JsonSerializerOptions Plain = new() { IncludeFields = false };

    public static string Serializer(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var order in data.Orders)
        {
            var json = JsonSerializer.Serialize(order, Plain);
            d.Add(json);
            var back = JsonSerializer.Deserialize<Order>(json, Plain);
            d.Add(JsonSerializer.Serialize(back, Plain) == json);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(order, Plain);
            ReadOnlySpan<byte> span = bytes;
            d.Add(JsonSerializer.Deserialize<Order>(span, Plain).Number);
            d.Add(JsonSerializer.Deserialize<Order>(json.AsSpan(), Plain).Items.Count);
        }
        var people = JsonSerializer.Serialize(data.People);
        d.Add(people);
        d.Add(JsonSerializer.Deserialize<List<Person>>(people).Sum(p => p.Age));
        d.Add(JsonSerializer.Deserialize<Point3[]>("[{\"X\":1,\"Y\":2,\"Z\":3}]")[0].Z);
        d.Add(JsonSerializer.Serialize(new { anon = 1, list = new[] { "a", "b" }, nested = new { deep = true } }));
        var element = JsonSerializer.SerializeToElement(data.Orders[0].Customer);
        d.Add(element.GetProperty("Name").GetString());
        d.Add(JsonSerializer.Deserialize<Customer>(element).Email);
        var node = JsonSerializer.SerializeToNode(data.Orders[1]);
        d.Add(node["Number"].GetValue<long>());
        object boxed = JsonSerializer.Deserialize(people, typeof(List<Person>));
        d.Add(((List<Person>)boxed).Count);
        d.Add(JsonSerializer.Serialize<object>(data.Orders[2].Items[0]));
        d.Add(JsonSerializer.Serialize((7, "seven"), new JsonSerializerOptions { IncludeFields = true }));
        return d.ToString();
    }

    public static string Options(Corpus.Data data)
    {
        var d = new Digest();
        var variants = new[]
        {
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase },
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull },
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.KebabCaseUpper, DictionaryKeyPolicy = JsonNamingPolicy.CamelCase, Converters = { new JsonStringEnumConverter() } },
            new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 },
            new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault, IgnoreReadOnlyProperties = true, NewLine = "\n", WriteIndented = true, IndentCharacter = '\t', IndentSize = 1 },
        };
        foreach (var options in variants)
        {
            foreach (var order in data.Orders.Take(10))
            {
                var json = JsonSerializer.Serialize(order, options);
                d.Add(json);
                d.Add(JsonSerializer.Deserialize<Order>(json, options).Number);
            }
        }
        d.Add(JsonSerializer.Serialize(new[] { double.NaN, double.NegativeInfinity, 1e300 }, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        d.Add(JsonSerializer.Deserialize<Order>("{/*c*/\"number\":5,}", variants[4]).Number);
        return d.ToString();
    }

    public static string Polymorphic(Corpus.Data data)
    {
        var d = new Digest();
        var shapes = data.Orders.Select(o => o.Package).ToList();
        var json = JsonSerializer.Serialize(shapes);
        d.Add(json);
        d.Add(JsonSerializer.Deserialize<List<Shape>>(json).Sum(s => s.Area()));
        var root = new NewtonsoftWork.Node { Name = "root" };
        root.Children.Add(new NewtonsoftWork.Node { Name = "kid", Parent = root });
        var preserve = new JsonSerializerOptions { ReferenceHandler = ReferenceHandler.Preserve };
        var pj = JsonSerializer.Serialize(root, preserve);
        d.Add(pj);
        var back = JsonSerializer.Deserialize<NewtonsoftWork.Node>(pj, preserve);
        d.Add(ReferenceEquals(back.Children[0].Parent, back));
        d.Add(JsonSerializer.Serialize(root, new JsonSerializerOptions { ReferenceHandler = ReferenceHandler.IgnoreCycles }));
        return d.ToString();
    }

    public static string SourceGenerated(Corpus.Data data)
    {
        var d = new Digest();
        var json = JsonSerializer.Serialize(data.People, GeneratedContext.Default.ListPerson);
        d.Add(json);
        d.Add(JsonSerializer.Deserialize(json, GeneratedContext.Default.ListPerson).Count);
        foreach (var order in data.Orders.Where(o => o.Customer.Address != null).Take(10))
        {
            var a = JsonSerializer.Serialize(order.Customer.Address, GeneratedContext.Default.Address);
            d.Add(a).Add(JsonSerializer.Deserialize(a, GeneratedContext.Default.Address).City);
        }
        d.Add(JsonSerializer.Serialize(new Dictionary<string, int[]> { ["x"] = new[] { 1, 2 } }, GeneratedContext.Default.DictionaryStringInt32Array));
        d.Add(JsonSerializer.Deserialize("[{\"x\":1,\"y\":2,\"z\":3}]", GeneratedContext.Default.Point3Array)[0].Y);
        return d.ToString();
    }

    public static string ReaderWriter(Corpus.Data data)
    {
        var d = new Digest();
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", "writer");
            w.WriteString("span"u8, "utf8 name".AsSpan());
            w.WriteNumber("int", 42);
            w.WriteNumber("long", long.MinValue);
            w.WriteNumber("double", 2.5);
            w.WriteNumber("decimal", 79228162514264337593543950335m);
            w.WriteBoolean("bool", true);
            w.WriteNull("null");
            w.WriteString("date", new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
            w.WriteString("guid", Guid.Empty);
            w.WriteBase64String("bytes", new byte[] { 0, 1, 2, 250 });
            w.WritePropertyName(JsonEncodedText.Encode("encoded<>"));
            w.WriteStartArray();
            foreach (var order in data.Orders.Take(10))
            {
                w.WriteStartObject();
                w.WriteNumber("n", order.Number);
                w.WriteString("c", order.Customer.Name);
                w.WriteString("placed", order.Placed);
                w.WriteEndObject();
            }
            w.WriteRawValue("[1,2,3]");
            w.WriteCommentValue("note");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var written = buffer.WrittenSpan.ToArray();
        d.Add(Encoding.UTF8.GetString(written));
        var reader = new Utf8JsonReader(written, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        d.Add(Walk(ref reader));
        foreach (var raw in data.RawJson)
        {
            var bytes = Encoding.UTF8.GetBytes(raw);
            var r = new Utf8JsonReader(bytes);
            d.Add(Walk(ref r));
            // Multi-segment input: the same bytes split into three segments.
            var sequence = Segment.Split(bytes, 3);
            var rs = new Utf8JsonReader(sequence);
            d.Add(Walk(ref rs));
        }
        return d.ToString();
    }

    private static string Walk(ref Utf8JsonReader reader)
    {
        var sb = new StringBuilder();
        while (reader.Read())
        {
            sb.Append(reader.TokenType).Append('@').Append(reader.CurrentDepth);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                case JsonTokenType.String:
                    sb.Append('=').Append(reader.GetString());
                    if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var when)) sb.Append("(date ").Append(when.ToString("O", CultureInfo.InvariantCulture)).Append(')');
                    break;
                case JsonTokenType.Number:
                    sb.Append('=').Append(reader.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : reader.TryGetDecimal(out var m) ? m.ToString(CultureInfo.InvariantCulture) : reader.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                    break;
            }
            sb.Append(';');
        }
        return sb.ToString();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long index) { Memory = memory; RunningIndex = index; }

        public static ReadOnlySequence<byte> Split(byte[] bytes, int parts)
        {
            var size = Math.Max(1, bytes.Length / parts);
            var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
            var last = first;
            for (var offset = size; offset < bytes.Length; offset += size)
            {
                var next = new Segment(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }

    public static string Document(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var raw in data.RawJson)
        {
            using var doc = JsonDocument.Parse(raw, new JsonDocumentOptions { AllowTrailingCommas = true });
            d.Add(Describe(doc.RootElement));
            d.Add(doc.RootElement.GetRawText());
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                doc.WriteTo(w);
            }
            d.Add(buffer.WrittenCount);
            d.Add(JsonElement.DeepEquals(doc.RootElement, doc.RootElement.Clone()));
        }
        using var store = JsonDocument.Parse(data.RawJson[2]);
        d.Add(store.RootElement.GetProperty("store").GetProperty("book").EnumerateArray().Count(b => b.TryGetProperty("isbn", out _)));
        return d.ToString();
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", e.EnumerateObject().Select(p => p.Name + ":" + Describe(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", e.EnumerateArray().Select(Describe)) + "]",
        JsonValueKind.String => "s" + e.GetString().Length,
        JsonValueKind.Number => e.TryGetInt32(out var i) ? "i" + i : "n" + e.GetRawText(),
        _ => e.ValueKind.ToString(),
    };

    public static string Node(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var raw in data.RawJson)
        {
            var node = JsonNode.Parse(raw);
            d.Add(node.ToJsonString());
            if (node is JsonObject obj)
            {
                obj["added"] = new JsonArray(1, "two", new JsonObject { ["three"] = 3 });
                obj.Remove("a");
                d.Add(obj.Count).Add(obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                d.Add(JsonNode.DeepEquals(obj, obj.DeepClone()));
                d.Add(string.Join(",", obj.Select(p => p.Key + "@" + p.Value?.GetPath())));
            }
        }
        var arr = new JsonArray();
        foreach (var o in data.Orders.Take(10)) arr.Add(JsonSerializer.SerializeToNode(o.Customer));
        d.Add(arr.Count).Add(arr[3]["Name"].GetValue<string>());
        return d.ToString();
    }

    public static async Task<string> Async(Corpus.Data data)
    {
        var d = new Digest();
        using var stream = new MemoryStream();
        await JsonSerializer.SerializeAsync(stream, data.Orders, Plain);
        d.Add(stream.Length);
        stream.Position = 0;
        var back = await JsonSerializer.DeserializeAsync<List<Order>>(stream, Plain);
        d.Add(back.Count);
        stream.Position = 0;
        var count = 0;
        await foreach (var order in JsonSerializer.DeserializeAsyncEnumerable<Order>(stream, Plain))
        {
            count++;
            d.Add(order.Customer.Name);
        }
        d.Add(count);
        using var doc = await JsonDocument.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.RawJson[2])));
        d.Add(doc.RootElement.GetProperty("store").GetProperty("bicycle").GetProperty("price").GetDecimal());
        var node = await JsonNode.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.RawJson[0])));
        d.Add(node["d"]["e"].GetValue<string>());
        return d.ToString();
    }

    public static string Errors()
    {
        var d = new Digest();
        var bad = new[] { "{", "{\"a\":}", "[1,2", "{\"Number\":\"x\"}", "nul", "\"unterminated", "{\"a\":1}}", "[1,2,]", "{'single':1}", "{\"Number\":1e400}" };
        foreach (var text in bad)
        {
            try
            {
                d.Add(JsonSerializer.Deserialize<Order>(text)?.Number);
            }
            catch (JsonException e)
            {
                d.Add(e.Message + " " + e.Path + " " + e.LineNumber + " " + e.BytePositionInLine);
            }
        }
        try
        {
            using var doc = JsonDocument.Parse("[1,2");
        }
        catch (JsonException e)
        {
            d.Add(e.GetType().Name);
        }
        try
        {
            JsonSerializer.Deserialize<Order>("{\"Number\":1,\"Surprise\":2}", new JsonSerializerOptions { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow });
        }
        catch (JsonException e)
        {
            d.Add(e.Message);
        }
        try
        {
            var root = new NewtonsoftWork.Node { Name = "loop" };
            root.Parent = root;
            JsonSerializer.Serialize(root);
        }
        catch (JsonException e)
        {
            d.Add(e.Message.Split('.')[0]);
        }
        return d.ToString();
    }
}
