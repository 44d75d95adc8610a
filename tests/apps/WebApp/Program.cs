// Starts Kestrel on 127.0.0.1 with one MVC controller, requests it N times
// with HttpClient (default: 3), prints each response, and exits. Before
// "done" it prints the monotonic clock at Main entry and exit, which the
// performance runner (benches/perf) relates to its own clock, and the
// steady-state throughput: the requests after the warm-up (the second
// argument, default half of them: JIT, tier-up) over the time they took.
using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace WebApp;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var mainTimestamp = Stopwatch.GetTimestamp();
        Console.WriteLine($"PID={Environment.ProcessId}");
        var requests = args.Length > 0 ? int.Parse(args[0]) : 3;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddControllers();
        var app = builder.Build();
        app.MapControllers();
        await app.StartAsync();
        var address = app.Urls.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var warmup = args.Length > 1 ? int.Parse(args[1]) : requests / 2;
        var steadyStart = 0L;
        for (var i = 0; i < requests; i++)
        {
            if (i == warmup)
            {
                steadyStart = Stopwatch.GetTimestamp();
            }
            var body = await client.GetStringAsync($"/weather/{i}");
            if (requests <= 10 || i == requests - 1)
            {
                Console.WriteLine($"response {i}: {body}");
            }
        }
        var steadyEnd = Stopwatch.GetTimestamp();
        await app.StopAsync();
        Console.WriteLine($"PERF_TIMESTAMPS main={mainTimestamp} end={Stopwatch.GetTimestamp()} frequency={Stopwatch.Frequency}");
        // Only when the warm-up count is given (the perf runner's throughput
        // rounds): the default output stays the one the reference runs recorded.
        if (args.Length > 1 && requests - warmup > 0)
        {
            var seconds = (steadyEnd - steadyStart) / (double)Stopwatch.Frequency;
            Console.WriteLine(FormattableString.Invariant($"PERF_THROUGHPUT requests={requests - warmup} seconds={seconds:F6}"));
        }
        Console.WriteLine("done");
        return 0;
    }
}

[ApiController]
[Route("weather")]
public class WeatherController : ControllerBase
{
    [HttpGet("{day:int}")]
    public string Get(int day) => $"day {day}: sunny";
}
