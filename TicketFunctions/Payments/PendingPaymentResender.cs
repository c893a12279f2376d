using System.Text.Json;
using Azure.Storage.Queues;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Payments;

/// <summary>
/// Re-sends <c>{paymentId}</c> for PENDING payments older than a minute, at start-up and then every minute: a
/// payment whose message was lost (the process died between the commit and the send) still gets processed.
/// Duplicates are harmless because processing is idempotent. Storage faults are logged and retried next tick.
/// </summary>
public sealed partial class PendingPaymentResender(Db db, IConfiguration configuration, TimeProvider clock, ILogger<PendingPaymentResender> logger)
    : BackgroundService
{
    public const string QueueName = "payments";
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);
    private const int BatchSize = 500;

    private static readonly SqlScript FindStalePendingPayments = Sql.Load("payments/find_stale_pending_payments");

    private QueueClient? _queue;

    /// <summary>Ids of PENDING payments created more than <see cref="StaleAfter"/> ago, oldest first.</summary>
    public async Task<IReadOnlyList<long>> FindStaleAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            FindStalePendingPayments.For(connection),
            new { Cutoff = clock.UnixMsNow() - (long)StaleAfter.TotalMilliseconds, Limit = BatchSize },
            cancellationToken: cancellationToken));
        return [.. ids];
    }

    /// <summary>One tick: finds the stale payments and re-sends their messages; answers how many were sent.</summary>
    public async Task<int> ResendAsync(CancellationToken cancellationToken)
    {
        var ids = await FindStaleAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        var queue = await GetQueueAsync(cancellationToken);
        foreach (var id in ids)
        {
            await queue.SendMessageAsync(JsonSerializer.Serialize(new PaymentMessage(id), Json.Options), cancellationToken);
        }

        LogResent(ids.Count);
        return ids.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting before the first tick touches the database and the queue.
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await ResendAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The host must keep serving whatever the storage account or the database does; next tick retries.
                _queue = null;
                LogTickFailed(e);
            }
        }
        while (await WaitForNextTickAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitForNextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<QueueClient> GetQueueAsync(CancellationToken cancellationToken)
    {
        if (_queue is not null)
        {
            return _queue;
        }

        var connectionString = configuration["AzureWebJobsStorage"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("AzureWebJobsStorage is not set; pending payments cannot be re-sent.");
        }

        // Base64, as the Functions host expects by default (host.json messageEncoding).
        var queue = new QueueClient(connectionString, QueueName, new QueueClientOptions
        {
            MessageEncoding = QueueMessageEncoding.Base64,
            Retry = { MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(10) },
        });
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _queue = queue;
        return queue;
    }

    [LoggerMessage(LogLevel.Information, "Re-sent {Count} message(s) for PENDING payments older than a minute")]
    private partial void LogResent(int count);

    [LoggerMessage(LogLevel.Warning, "Could not re-send messages for PENDING payments; retrying next minute")]
    private partial void LogTickFailed(Exception exception);
}
