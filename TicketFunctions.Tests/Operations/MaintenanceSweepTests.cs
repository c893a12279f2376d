using Dapper;
using TicketFunctions.Operations;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Operations;

/// <summary>Expired idempotency keys and ended failed-login counts are deleted in bounded batches, safely from two instances.</summary>
public sealed class MaintenanceSweepTests(Report report) : IClassFixture<Report>
{
    private static readonly Dictionary<string, string?> SmallBatches = new()
    {
        ["Maintenance:BatchSize"] = "10",
        ["Maintenance:MaxBatches"] = "3",
        ["Login:FailureWindow"] = "00:15:00",
    };

    [Fact]
    public async Task A_run_deletes_at_most_its_batches_of_expired_rows_and_never_a_live_one()
    {
        await using var app = await TestApp.StartAsync(SmallBatches);
        await Seed(app, expiredKeys: 45, liveKeys: 5, oldFailures: 35, liveFailures: 2);

        var first = await app.Get<MaintenanceSweep>().RunAsync(CancellationToken.None);
        var second = await app.Get<MaintenanceSweep>().RunAsync(CancellationToken.None);
        var third = await app.Get<MaintenanceSweep>().RunAsync(CancellationToken.None);

        report.Line($"maintenance with 3 batches of 10: runs deleted keys {first.IdempotencyKeysDeleted}, {second.IdempotencyKeysDeleted}, {third.IdempotencyKeysDeleted} and failure counts {first.LoginFailuresDeleted}, {second.LoginFailuresDeleted}, {third.LoginFailuresDeleted}");
        Assert.Equal(new MaintenanceResult(30, 30), first);
        Assert.Equal(new MaintenanceResult(15, 5), second);
        Assert.Equal(new MaintenanceResult(0, 0), third);
        Assert.Equal(5, await app.Scalar<long>("SELECT count(*) FROM idempotency_keys"));
        Assert.Equal(2, await app.Scalar<long>("SELECT count(*) FROM login_failures WHERE failures > 0"));
    }

    [Fact]
    public async Task Two_runs_at_once_delete_every_expired_row_once_between_them_and_keep_the_live_ones()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>(SmallBatches) { ["Maintenance:MaxBatches"] = "100" });
        await Seed(app, expiredKeys: 300, liveKeys: 7, oldFailures: 250, liveFailures: 3);

        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => app.Get<MaintenanceSweep>().RunAsync(CancellationToken.None))));

        report.Line($"two concurrent maintenance runs: keys {runs[0].IdempotencyKeysDeleted} + {runs[1].IdempotencyKeysDeleted}, failure counts {runs[0].LoginFailuresDeleted} + {runs[1].LoginFailuresDeleted}");
        Assert.Equal(300, runs.Sum(r => r.IdempotencyKeysDeleted));
        Assert.Equal(250, runs.Sum(r => r.LoginFailuresDeleted));
        Assert.Equal(7, await app.Scalar<long>("SELECT count(*) FROM idempotency_keys"));
        Assert.Equal(3, await app.Scalar<long>("SELECT count(*) FROM login_failures WHERE failures > 0"));
    }

    /// <summary>
    /// Rows on either side of the line: expired keys end a second before now, live ones a second after; old failure
    /// windows began a window ago. The seeding user's own login leaves its email's count from anywhere at 0 failures.
    /// </summary>
    private static async Task Seed(TestApp app, int expiredKeys, int liveKeys, int oldFailures, int liveFailures)
    {
        var (_, userId) = await app.RegisterAndLogin();
        var now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        const long window = 15 * 60 * 1000;
        await using var connection = await app.Db.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        for (var i = 0; i < expiredKeys + liveKeys; i++)
        {
            var expiresAt = i < expiredKeys ? now - 1000 - i : now + 1000;
            await connection.ExecuteAsync(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response_body, created_at, expires_at) VALUES (@userId, @key, 'h', 202, '{}', 0, @expiresAt)",
                new { userId, key = $"key-{i}", expiresAt }, transaction);
        }

        for (var i = 0; i < oldFailures + liveFailures; i++)
        {
            var windowStart = i < oldFailures ? now - window - i : now - 1000;
            await connection.ExecuteAsync(
                "INSERT INTO login_failures (normalized_email, client_address, failures, window_start) VALUES (@email, @address, 3, @windowStart)",
                new { email = $"user{i}@example.com", address = i % 2 == 0 ? "*" : "192.0.2.7", windowStart }, transaction);
        }

        await transaction.CommitAsync();
    }
}
