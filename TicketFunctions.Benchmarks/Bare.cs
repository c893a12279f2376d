using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketFunctions.Benchmarks.ReferenceApp;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// Baseline (c): bare Kestrel (a minimal API, no middleware) in a process of its own, doing the raw work of baseline (a)
/// behind the reference app's routes and answers (<see cref="RawHttp"/>), over the database its environment names
/// (the app's setting names). It is also the start-up baseline.
/// </summary>
internal static class Bare
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSingleton(_ => RawStore.Create(name => builder.Configuration[name]));
        await using var app = builder.Build();
        var store = app.Services.GetRequiredService<RawStore>();
        app.MapGet("/api/health", async http => await WriteAsync(http, await RawHttp.HealthAsync(store, http.RequestAborted)));
        app.MapPost("/api/holds", async http => await WriteAsync(http, await RawHttp.HoldAsync(store, http.Request.Body, http.RequestAborted)));
        app.MapPost("/api/claims", async http => await WriteAsync(http, await RawHttp.ClaimAsync(store, http.Request.Body, http.RequestAborted)));
        app.MapGet("/api/showtimes/{id:long}/seats", async http =>
            await WriteAsync(http, await RawHttp.SeatMapAsync(store, long.Parse((string)http.Request.RouteValues["id"]!, CultureInfo.InvariantCulture), http.RequestAborted)));
        await app.RunAsync();
    }

    /// <summary>The answer's bytes as they are, as the reference function writes them.</summary>
    private static Task WriteAsync(HttpContext http, RawAnswer answer)
    {
        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = RawHttp.ContentType;
        http.Response.ContentLength = answer.Body.Length;
        return http.Response.Body.WriteAsync(answer.Body, http.RequestAborted).AsTask();
    }
}
