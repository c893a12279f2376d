using System.Diagnostics;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Auth;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 7. A login burst and a registration burst at OWASP's work factor (210,000 PBKDF2-HMAC-SHA512 iterations, the
/// production setting): 200 clients at once, each logging in to an account of its own, then 200 at once each
/// registering a new one, against the app as it runs (host + worker). The goal is every one answered without a 5xx
/// (a 503 counts against it): the hashing queue (Passwords__Concurrency, Passwords__QueueTimeout) must hold them all.
/// Beside them: one hash alone in the bench process (the unit of the work), the burst's ideal drain (200 hashes over
/// the machine's cores) and the p95 of GET /api/health that another user sent during the burst.
/// </summary>
internal static class AuthBench
{
    private const string Password = "Password-123";

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, DbProvider provider)
    {
        var clients = context.Options.Size(200, 48);
        await using var database = await BenchDatabase.CreateAsync(context, provider, "auth");
        var passwords = new Passwords(Options.Create(new PasswordOptions()));
        var hashes = new List<double>();
        string hash = "";
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            hash = passwords.Hash(Password);
            hashes.Add(clock.Elapsed.TotalMilliseconds);
        }

        var oneHash = LoadResult.Percentile([.. hashes.Order()], 0.5);
        var emails = Enumerable.Range(0, clients).Select(i => $"login{i}-{Guid.NewGuid():N}@example.com").ToArray();
        await using (var connection = await database.Db.OpenAsync())
        {
            foreach (var email in emails)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, created_at) VALUES (@email, @email, @email, 'Bench', @hash, 'User', 0);",
                    new { email, hash });
            }
        }

        await using var server = await ServerProcess.StartAsync(ServerKind.App, database.Environment);
        using var client = Load.Client(clients + 1);
        client.BaseAddress = server.BaseAddress;
        using (var warm = await client.PostAsJsonAsync("api/auth/login", new { email = emails[0], password = Password }))
        {
            warm.EnsureSuccessStatusCode();
        }

        var (logins, loginProbe) = await WithProbeAsync(client, () => Load.BurstAsync(client, clients, k => Post("api/auth/login", new { email = emails[k], password = Password })));
        var (registrations, registrationProbe) = await WithProbeAsync(client, () => Load.BurstAsync(client, clients, k =>
            Post("api/auth/register", new { email = $"new{k}-{Guid.NewGuid():N}@example.com", password = Password, fullName = "Bench" })));

        var drain = clients * oneHash / Environment.ProcessorCount;
        var fiveHundreds = FiveHundreds(logins) + FiveHundreds(registrations);
        var met = fiveHundreds == 0 && logins.Statuses.GetValueOrDefault(200) == clients && registrations.Statuses.GetValueOrDefault(201) == clients;
        var store = Figure.StoreName(provider);
        return
        [
            new Figure(
                "auth",
                store,
                $"logins {Text(logins)}; registrations {Text(registrations)}",
                $"one hash {Report.Ms(oneHash)}; ideal drain {Report.Num(drain / 1000, "0.0")} s",
                "-",
                "-",
                $"{logins.P95 / drain:0.00}x ideal drain (logins p95)",
                $"{clients} logins and {clients} registrations at once: 0 x 5xx",
                met,
                [
                    $"**{store}.** {clients} clients, each with its own connection, released together: POST /api/auth/login, each for an account of its own "
                    + "(seeded with one real 210,000-iteration hash), then POST /api/auth/register, each a new email. The app runs with its defaults: "
                    + $"Passwords__Concurrency = the worker's processor count ({Environment.ProcessorCount} here), Passwords__QueueTimeout 30 s. "
                    + $"(a) one PBKDF2 hash at 210,000 iterations in the bench process, median of 5: {Report.Ms(oneHash)} (each: {string.Join(", ", hashes.Select(h => Report.Num(h)))} ms); "
                    + $"the ideal drain of {clients} hashes over {Environment.ProcessorCount} cores is {Report.Num(drain / 1000, "0.0")} s. "
                    + "During each burst another client sent GET /api/health one after another (database and queue checks): "
                    + $"p95 {Report.Ms(loginProbe.P95)} during the logins ({loginProbe.Requests} requests), {Report.Ms(registrationProbe.P95)} during the registrations ({registrationProbe.Requests}).",
                    string.Empty,
                    Report.RowHeader,
                    Report.Row("app: login burst", logins),
                    Report.Row("app: registration burst", registrations),
                    Report.Row("GET /api/health during the logins", loginProbe),
                    Report.Row("GET /api/health during the registrations", registrationProbe),
                    .. (met ? Array.Empty<string>() : [string.Empty, $"**Goal missed.** {fiveHundreds} x 5xx. A 503 (Retry-After) is the hashing queue refusing what it could not "
                        + "hash within Passwords__QueueTimeout at the pace it measured; on 2 cores shared with other work the pace is what the machine had left."]),
                ]),
        ];
    }

    private static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private static int FiveHundreds(LoadResult result) => result.Statuses.Where(s => s.Key is 0 or >= 500).Sum(s => s.Value);

    private static string Text(LoadResult result) => $"{result.StatusText}, p95 {Report.Ms(result.P95)}";

    // Runs the burst while one other client asks for /api/health in a loop, until the burst is over.
    private static async Task<(LoadResult Burst, LoadResult Probe)> WithProbeAsync(HttpClient client, Func<Task<LoadResult>> burst)
    {
        using var stop = new CancellationTokenSource();
        var latencies = new List<double>();
        var statuses = new List<int>();
        var clock = Stopwatch.StartNew();
        var probe = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    using var response = await client.GetAsync("api/health", CancellationToken.None);
                    status = (int)response.StatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                }

                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                statuses.Add(status);
            }
        });
        var result = await burst();
        await stop.CancelAsync();
        await probe;
        return (result, LoadResult.From([.. latencies], [.. statuses], clock.Elapsed.TotalSeconds, Load.DefaultError));
    }
}
