// Newtonsoft.Json 13.0.3 workload: serializer, settings, converters, LINQ to
// JSON, streaming reader/writer, async, errors, references, dynamic, XML.
using System.Data;
using System.Dynamic;
using System.Globalization;
using System.Xml;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;
using Formatting = Newtonsoft.Json.Formatting;

namespace Everything;

public sealed class MoneyNewtonsoftConverter : JsonConverter<Money>
{
    public override void WriteJson(JsonWriter writer, Money value, JsonSerializer serializer) => writer.WriteValue(value.ToString());
    public override Money ReadJson(JsonReader reader, Type objectType, Money existingValue, bool hasExistingValue, JsonSerializer serializer)
        => Money.Parse((string)reader.Value);
}

/// Resolves type names without assembly-qualified names, so output is stable.
public sealed class KnownTypesBinder : ISerializationBinder
{
    private static readonly Type[] Known = { typeof(Circle), typeof(Rect), typeof(Composite), typeof(List<Shape>), typeof(Order), typeof(Customer) };
    public Type BindToType(string assemblyName, string typeName) => Known.First(t => t.Name == typeName);
    public void BindToName(Type serializedType, out string assemblyName, out string typeName)
    {
        assemblyName = null;
        typeName = serializedType.Name;
    }
}

public sealed class UpperCaseNaming : NamingStrategy
{
    protected override string ResolvePropertyName(string name) => name.ToUpperInvariant();
}

public static class NewtonsoftWork
{
    private static readonly JsonSerializerSettings Typed = new()
    {
        TypeNameHandling = TypeNameHandling.Auto,
        SerializationBinder = new KnownTypesBinder(),
    };

    public static string Poco(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var order in data.Orders)
        {
            var json = JsonConvert.SerializeObject(order, Typed);
            d.Add(json);
            var back = JsonConvert.DeserializeObject<Order>(json, Typed);
            d.Add(JsonConvert.SerializeObject(back, Typed) == json);
            d.Add(back.Items.Sum(i => i.Price.Cents * i.Quantity));
        }
        var people = JsonConvert.SerializeObject(data.People, Formatting.Indented);
        d.Add(people);
        var persons = JsonConvert.DeserializeObject<List<Person>>(people);
        d.Add(persons.Count(p => p.Age > 50));
        var points = JsonConvert.DeserializeObject<Point3[]>("[{\"x\":1,\"y\":2,\"z\":3},{\"X\":4,\"Y\":5,\"Z\":6}]");
        d.Add(points.Sum(p => p.X * p.Y * p.Z));
        var contracted = new Contracted { Name = "dc", Count = 3 };
        var cj = JsonConvert.SerializeObject(contracted);
        d.Add(cj).Add(string.Join(",", JsonConvert.DeserializeObject<Contracted>(cj).Log.Concat(contracted.Log)));
        d.Add(JsonConvert.SerializeObject(new[] { new Conditional { Always = "a", Sometimes = "no" }, new Conditional { Always = "b", Sometimes = "yes!" } }));
        var anonymous = JsonConvert.DeserializeAnonymousType("{\"a\":5,\"b\":\"x\"}", new { a = 0, b = "" });
        d.Add(anonymous.a + anonymous.b);
        var generic = JsonConvert.DeserializeObject<Dictionary<string, List<KeyValuePair<int, string>>>>("{\"x\":[{\"Key\":1,\"Value\":\"one\"}],\"y\":[]}");
        d.Add(generic["x"][0].Value);
        var tuple = JsonConvert.DeserializeObject<Tuple<int, string, double>>(JsonConvert.SerializeObject(Tuple.Create(1, "two", 3.0)));
        d.Add(tuple.Item2);
        var vt = JsonConvert.DeserializeObject<(int, string)>(JsonConvert.SerializeObject((7, "seven")));
        d.Add(vt.Item2);
        return d.ToString();
    }

    public static string Settings(Corpus.Data data)
    {
        var d = new Digest();
        var variants = new[]
        {
            new JsonSerializerSettings { ContractResolver = new CamelCasePropertyNamesContractResolver(), Formatting = Formatting.Indented },
            new JsonSerializerSettings { ContractResolver = new DefaultContractResolver { NamingStrategy = new SnakeCaseNamingStrategy() }, NullValueHandling = NullValueHandling.Ignore },
            new JsonSerializerSettings { ContractResolver = new DefaultContractResolver { NamingStrategy = new KebabCaseNamingStrategy() }, DefaultValueHandling = DefaultValueHandling.Ignore },
            new JsonSerializerSettings { ContractResolver = new DefaultContractResolver { NamingStrategy = new UpperCaseNaming() }, DateFormatHandling = DateFormatHandling.MicrosoftDateFormat },
            new JsonSerializerSettings { DateTimeZoneHandling = DateTimeZoneHandling.Utc, DateFormatString = "yyyy'-'MM'-'dd HH':'mm", Culture = CultureInfo.InvariantCulture },
            new JsonSerializerSettings { FloatFormatHandling = FloatFormatHandling.Symbol, StringEscapeHandling = StringEscapeHandling.EscapeNonAscii },
            new JsonSerializerSettings { StringEscapeHandling = StringEscapeHandling.EscapeHtml, MissingMemberHandling = MissingMemberHandling.Ignore, Converters = { new StringEnumConverter(new CamelCaseNamingStrategy()) } },
        };
        foreach (var settings in variants)
        {
            // Order.Package is abstract: every variant needs the type names.
            settings.TypeNameHandling = TypeNameHandling.Auto;
            settings.SerializationBinder = new KnownTypesBinder();
            foreach (var order in data.Orders.Take(10))
            {
                var json = JsonConvert.SerializeObject(order, settings);
                d.Add(json);
                d.Add(JsonConvert.DeserializeObject<Order>(json, settings).Number);
            }
        }
        var populated = new Customer { Name = "keep" };
        JsonConvert.PopulateObject("{\"Id\":9,\"Email\":\"p@x\"}", populated);
        d.Add(populated.Name + populated.Id + populated.Email);
        var serializer = JsonSerializer.Create(new JsonSerializerSettings { Formatting = Formatting.Indented, MaxDepth = 64, TypeNameHandling = TypeNameHandling.Auto, SerializationBinder = new KnownTypesBinder() });
        using (var sw = new StringWriter(CultureInfo.InvariantCulture))
        {
            serializer.Serialize(sw, data.Orders.Take(3).ToList());
            d.Add(sw.ToString());
            using var jr = new JsonTextReader(new StringReader(sw.ToString()));
            d.Add(serializer.Deserialize<List<Order>>(jr).Count);
        }
        d.Add(JsonConvert.SerializeObject(new[] { double.NaN, double.PositiveInfinity, -0.0, 1e300 }, new JsonSerializerSettings { FloatFormatHandling = FloatFormatHandling.String }));
        return d.ToString();
    }

    public static string Polymorphic(Corpus.Data data)
    {
        var d = new Digest();
        var shapes = data.Orders.Select(o => o.Package).ToList();
        var json = JsonConvert.SerializeObject(shapes, Typed);
        d.Add(json);
        var back = JsonConvert.DeserializeObject<List<Shape>>(json, Typed);
        d.Add(back.Sum(s => s.Area()));
        var all = JsonConvert.SerializeObject(shapes, new JsonSerializerSettings { TypeNameHandling = TypeNameHandling.All, SerializationBinder = new KnownTypesBinder() });
        d.Add(all.Length);
        object boxed = JsonConvert.DeserializeObject(all, new JsonSerializerSettings { TypeNameHandling = TypeNameHandling.All, SerializationBinder = new KnownTypesBinder() });
        d.Add(((List<Shape>)boxed).Count);
        return d.ToString();
    }

    public static string Converters(Corpus.Data data)
    {
        var d = new Digest();
        var converters = new JsonConverter[] { new StringEnumConverter(), new IsoDateTimeConverter { DateTimeFormat = "yyyyMMddTHHmmss" }, new VersionConverter(), new KeyValuePairConverter(), new UnixDateTimeConverter() };
        d.Add(JsonConvert.SerializeObject(new { v = new Version(1, 2, 3, 4), s = Status.Shipped, t = Tags.Gift | Tags.Fragile, when = new DateTime(2022, 2, 2, 2, 2, 2, DateTimeKind.Utc) }, converters));
        var ex = JsonConvert.DeserializeObject<ExpandoObject>("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":\"e\"}]}}", new ExpandoObjectConverter());
        d.Add(JsonConvert.SerializeObject(ex));
        var table = new DataTable("t");
        table.Columns.Add("id", typeof(int));
        table.Columns.Add("name", typeof(string));
        foreach (var p in data.People.Take(10)) table.Rows.Add(p.Age, p.First);
        var tj = JsonConvert.SerializeObject(table);
        d.Add(tj);
        var tback = JsonConvert.DeserializeObject<DataTable>(tj);
        d.Add(tback.Rows.Count);
        var set = new DataSet("s");
        set.Tables.Add(tback);
        d.Add(JsonConvert.DeserializeObject<DataSet>(JsonConvert.SerializeObject(set)).Tables[0].Rows.Count);
        d.Add(JsonConvert.SerializeObject(new Money(12345, "EUR")));
        d.Add(JsonConvert.DeserializeObject<Money>("\"-3.07 JPY\"").Cents);
        var regex = new System.Text.RegularExpressions.Regex("a+b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        d.Add(JsonConvert.SerializeObject(regex, new RegexConverter()));
        d.Add(JsonConvert.SerializeObject(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), new JavaScriptDateTimeConverter()));
        return d.ToString();
    }

    public static string Linq(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var raw in data.RawJson)
        {
            var token = JToken.Parse(raw);
            d.Add(token.ToString(Formatting.None));
            var descendants = token is JContainer container ? container.Descendants().ToList() : new List<JToken>();
            d.Add(descendants.Count);
            d.Add(string.Join("|", descendants.OfType<JProperty>().Select(p => p.Path)));
            var clone = token.DeepClone();
            d.Add(JToken.DeepEquals(clone, token));
            if (token is JObject obj)
            {
                obj["added"] = new JArray(1, "two", new JObject(new JProperty("three", 3)));
                obj.Remove("a");
                d.Add(obj.Properties().Count());
                d.Add(obj.SelectTokens("$..*").Count());
            }
        }
        var store = JObject.Parse(data.RawJson[2]);
        d.Add(string.Join(",", store.SelectTokens("$.store.book[?(@.price > 10)].title").Select(t => (string)t)));
        d.Add((decimal)store.SelectToken("$.store.bicycle.price"));
        d.Add(string.Join(",", store.SelectTokens("$..price").Select(t => t.Value<double>().ToString(CultureInfo.InvariantCulture))));
        d.Add(store["store"]["book"].Children().Count(b => b["isbn"] != null));
        var merged = new JObject { ["x"] = 1, ["list"] = new JArray(1, 2) };
        merged.Merge(JObject.Parse("{\"y\":2,\"list\":[3]}"), new JsonMergeSettings { MergeArrayHandling = MergeArrayHandling.Union });
        d.Add(merged.ToString(Formatting.None));
        foreach (var order in data.Orders)
        {
            var jo = JObject.FromObject(order, JsonSerializer.Create(Typed));
            d.Add(jo["Items"].Sum(i => (int)i["Quantity"]));
            d.Add(jo.ToObject<Order>(JsonSerializer.Create(Typed)).Customer.Name);
            d.Add(jo.Value<long>("Number")).Add((string)jo["Link"]);
            d.Add(jo.Descendants().OfType<JValue>().Count(v => v.Type == JTokenType.Date));
            d.Add(jo.AncestorsAndSelf().Count() + jo.DescendantsAndSelf().Count());
        }
        var arr = new JArray(Enumerable.Range(0, 50).Select(i => new JValue(i * 3 % 17)));
        d.Add(string.Join(",", arr.Values<int>().OrderBy(x => x)));
        d.Add(new JValue(5).CompareTo(new JValue(7)));
        var ctor = JToken.Parse("new Date(1234)");
        d.Add(ctor.Type);
        d.Add(JToken.Parse("{\"a\":[1,2]}", new JsonLoadSettings { LineInfoHandling = LineInfoHandling.Load, CommentHandling = CommentHandling.Ignore }).First.Path);
        return d.ToString();
    }

    public static string Streaming(Corpus.Data data)
    {
        var d = new Digest();
        var sw = new StringWriter(CultureInfo.InvariantCulture);
        using (var w = new JsonTextWriter(sw) { Formatting = Formatting.Indented, Indentation = 3, QuoteChar = '\'' })
        {
            w.WriteStartObject();
            w.WritePropertyName("values");
            w.WriteStartArray();
            w.WriteValue(1); w.WriteValue(2L); w.WriteValue(3.5); w.WriteValue(4.25f); w.WriteValue(5.125m);
            w.WriteValue("six"); w.WriteValue('7'); w.WriteValue(true); w.WriteNull(); w.WriteUndefined();
            w.WriteValue((byte)8); w.WriteValue((sbyte)-9); w.WriteValue((short)10); w.WriteValue((ushort)11);
            w.WriteValue(12u); w.WriteValue(13ul); w.WriteValue(new byte[] { 1, 2, 3 }); w.WriteValue(new Uri("http://x/"));
            w.WriteValue(new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc)); w.WriteValue(new DateTimeOffset(2020, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)));
            w.WriteValue(Guid.Empty); w.WriteValue(TimeSpan.FromSeconds(90)); w.WriteValue((int?)null); w.WriteValue((double?)1.5);
            w.WriteComment("comment"); w.WriteRawValue("{\"raw\":true}");
            w.WriteEndArray();
            w.WritePropertyName("nested");
            w.WriteStartConstructor("Date");
            w.WriteValue(0);
            w.WriteEndConstructor();
            w.WriteEndObject();
        }
        d.Add(sw.ToString());
        foreach (var raw in data.RawJson.Concat(new[] { sw.ToString() }))
        {
            using var r = new JsonTextReader(new StringReader(raw)) { DateParseHandling = DateParseHandling.DateTimeOffset, FloatParseHandling = FloatParseHandling.Decimal, SupportMultipleContent = true };
            while (r.Read())
            {
                d.Add($"{r.TokenType}:{r.Path}:{Convert.ToString(r.Value, CultureInfo.InvariantCulture)}:{r.Depth}:{r.LineNumber}:{r.LinePosition}");
            }
        }
        foreach (var raw in data.RawJson.Take(5))
        {
            using var r = new JsonTextReader(new StringReader(raw));
            r.Read();
            while (r.Read())
            {
                if (r.TokenType == JsonToken.PropertyName) r.Skip();
                d.Add(r.TokenType);
            }
            using var typed = new JsonTextReader(new StringReader("[\"1\",2,\"2021-01-01\",null,3.5,\"AQID\"]"));
            typed.Read();
            d.Add(typed.ReadAsInt32()).Add(typed.ReadAsDecimal()).Add(typed.ReadAsDateTime()).Add(typed.ReadAsString()).Add(typed.ReadAsDouble()).Add(Convert.ToBase64String(typed.ReadAsBytes()));
        }
        var tw = new JTokenWriter();
        JsonSerializer.CreateDefault().Serialize(tw, data.Orders[0].Customer);
        d.Add(tw.Token.ToString(Formatting.None));
        using (var tr = new JTokenReader(tw.Token))
        {
            while (tr.Read()) d.Add(tr.TokenType);
        }
        return d.ToString();
    }

    public static async Task<string> Async(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var raw in data.RawJson)
        {
            using var reader = new JsonTextReader(new StringReader(raw));
            var token = await JToken.ReadFromAsync(reader);
            var sw = new StringWriter(CultureInfo.InvariantCulture);
            using (var writer = new JsonTextWriter(sw))
            {
                await token.WriteToAsync(writer);
                await writer.FlushAsync();
            }
            d.Add(sw.ToString());
            using var r2 = new JsonTextReader(new StringReader(raw));
            while (await r2.ReadAsync())
            {
                d.Add(r2.TokenType);
            }
        }
        var sw2 = new StringWriter(CultureInfo.InvariantCulture);
        using (var w = new JsonTextWriter(sw2))
        {
            await w.WriteStartArrayAsync();
            foreach (var o in data.Orders.Take(5))
            {
                await w.WriteValueAsync(o.Number);
                await w.WriteValueAsync(o.Customer.Name);
                await w.WriteValueAsync(o.Placed);
                await w.WriteValueAsync(o.Discount);
            }
            await w.WriteEndArrayAsync();
        }
        d.Add(sw2.ToString());
        var obj = await JObject.LoadAsync(new JsonTextReader(new StringReader(data.RawJson[0])));
        d.Add(obj.Count);
        return d.ToString();
    }

    public static string Errors()
    {
        var d = new Digest();
        var bad = new[] { "{", "{\"a\":}", "[1,2", "{\"a\" 1}", "nul", "{\"Number\":\"x\"}", "\"unterminated", "{\"a\":1}}", "[1,2,]x", "{'single':'quotes'}" };
        foreach (var text in bad)
        {
            try
            {
                d.Add(JsonConvert.DeserializeObject<Order>(text)?.Number);
            }
            catch (JsonException e)
            {
                d.Add(e.GetType().Name + ": " + e.Message);
            }
        }
        var errors = new List<string>();
        var settings = new JsonSerializerSettings
        {
            Error = (sender, args) => { errors.Add(args.ErrorContext.Path + " " + args.ErrorContext.Error.GetType().Name); args.ErrorContext.Handled = true; },
        };
        var partial = JsonConvert.DeserializeObject<List<Order>>("[{\"Number\":1},{\"Number\":\"two\"},{\"Number\":3,\"Paid\":\"maybe\"}]", settings);
        d.Add(partial.Count).Add(string.Join(";", errors));
        try
        {
            JsonConvert.DeserializeObject<Order>("{\"Number\":1,\"Surprise\":2}", new JsonSerializerSettings { MissingMemberHandling = MissingMemberHandling.Error });
        }
        catch (JsonSerializationException e)
        {
            d.Add(e.Message);
        }
        try
        {
            JToken.Parse("{\"a\":1}").SelectToken("$.b", errorWhenNoMatch: true);
        }
        catch (JsonException e)
        {
            d.Add(e.Message);
        }
        return d.ToString();
    }

    public sealed class Node
    {
        public string Name { get; set; }
        public Node Parent { get; set; }
        public List<Node> Children { get; set; } = new();
    }

    public static string References()
    {
        var d = new Digest();
        var root = new Node { Name = "root" };
        for (var i = 0; i < 5; i++)
        {
            var child = new Node { Name = "c" + i, Parent = root };
            root.Children.Add(child);
            child.Children.Add(new Node { Name = "g" + i, Parent = child });
        }
        var preserved = JsonConvert.SerializeObject(root, new JsonSerializerSettings { PreserveReferencesHandling = PreserveReferencesHandling.Objects, Formatting = Formatting.Indented });
        d.Add(preserved);
        var back = JsonConvert.DeserializeObject<Node>(preserved, new JsonSerializerSettings { PreserveReferencesHandling = PreserveReferencesHandling.Objects });
        d.Add(ReferenceEquals(back.Children[2].Parent, back));
        d.Add(JsonConvert.SerializeObject(root, new JsonSerializerSettings { ReferenceLoopHandling = ReferenceLoopHandling.Ignore }));
        try
        {
            JsonConvert.SerializeObject(root);
        }
        catch (JsonSerializationException e)
        {
            d.Add(e.Message);
        }
        return d.ToString();
    }

    public static string Dynamic(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var raw in data.RawJson.Skip(5).Take(10))
        {
            dynamic doc = JObject.Parse(raw);
            int id = doc.id;
            string level = doc.nested.level.ToString();
            d.Add(id + ":" + level + ":" + (int)doc.tags.Count);
            doc.extra = "added";
            d.Add(((JObject)doc).ToString(Formatting.None));
        }
        return d.ToString();
    }

    public static string Xml(Corpus.Data data)
    {
        var d = new Digest();
        foreach (var order in data.Orders.Take(8))
        {
            var json = JsonConvert.SerializeObject(new { order = new { id = order.Number, customer = order.Customer.Name, items = order.Items.Select(i => new { sku = i.Sku, qty = i.Quantity }) } });
            XmlDocument doc = JsonConvert.DeserializeXmlNode(json, "root");
            d.Add(doc.OuterXml);
            d.Add(JsonConvert.SerializeXmlNode(doc, Formatting.None, omitRootObject: true));
            var x = System.Xml.Linq.XDocument.Parse(doc.OuterXml);
            d.Add(JsonConvert.SerializeXNode(x));
            d.Add(JsonConvert.DeserializeXNode(json, "r").Root.Elements().Count());
        }
        return d.ToString();
    }

    public static string Collections()
    {
        var d = new Digest();
        d.Add(JsonConvert.SerializeObject(new int[,] { { 1, 2 }, { 3, 4 } }));
        d.Add(JsonConvert.DeserializeObject<int[,]>("[[1,2],[3,4],[5,6]]").GetLength(0));
        d.Add(JsonConvert.SerializeObject(new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 }));
        d.Add(JsonConvert.DeserializeObject<SortedSet<int>>("[5,3,1,3]").Count);
        d.Add(JsonConvert.DeserializeObject<LinkedList<string>>("[\"x\",\"y\"]").Last.Value);
        d.Add(JsonConvert.DeserializeObject<Queue<int>>("[1,2,3]").Peek());
        d.Add(JsonConvert.DeserializeObject<IReadOnlyDictionary<string, int[]>>("{\"a\":[1],\"b\":[2,3]}")["b"].Length);
        d.Add(JsonConvert.DeserializeObject<IReadOnlyList<Person>>("[{\"First\":\"a\",\"Last\":\"b\",\"Age\":3,\"Status\":2}]")[0].Status);
        d.Add(JsonConvert.DeserializeObject<System.Collections.ObjectModel.ReadOnlyCollection<int>>("[1,2,3]").Count);
        d.Add(JsonConvert.SerializeObject(new System.Numerics.BigInteger(ulong.MaxValue) * 3));
        d.Add(JsonConvert.DeserializeObject<System.Numerics.BigInteger>("123456789012345678901234567890").ToString(CultureInfo.InvariantCulture));
        d.Add(JsonConvert.SerializeObject(new Dictionary<Status, int?> { [Status.Draft] = null, [Status.Placed] = 2 }));
        d.Add(JsonConvert.DeserializeObject<Dictionary<Guid, DateTimeOffset>>("{\"0f8fad5b-d9cb-469f-a165-70867728950e\":\"2020-01-01T00:00:00+05:00\"}").Values.First().Offset);
        d.Add(JsonConvert.SerializeObject(Enumerable.Range(0, 5).Select(i => i * i)));
        d.Add(JsonConvert.SerializeObject(new HashSet<int> { 3, 1, 2 }.OrderBy(x => x)));
        d.Add(JsonConvert.SerializeObject(new System.Collections.ArrayList { 1, "two", null }));
        d.Add(JsonConvert.SerializeObject(new System.Collections.Hashtable { ["only"] = 1 }));
        return d.ToString();
    }
}
