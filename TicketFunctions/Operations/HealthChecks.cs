using System.ComponentModel;
using Azure.Storage.Queues;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Payments;

namespace TicketFunctions.Operations;

public sealed record HealthReport([property: OneOf(typeof(HealthChecks))] string Status, IReadOnlyDictionary<string, string> Checks)
    : IExample<HealthReport>
{
    public static HealthReport Example => new(HealthChecks.Healthy, new Dictionary<string, string> { ["database"] = HealthChecks.Healthy, ["queue"] = HealthChecks.Healthy });
}

/// <summary>Is the database answering, and is the Storage queue service reachable?</summary>
[DisplayName("HealthStatus")]
public sealed partial class HealthChecks(Db db, IConfiguration configuration, ILogger<HealthChecks> logger)
{
    // One client for the life of the app, made at the first check: with a managed identity, a client per check would
    // also be a new credential and a new token request every time.
    private readonly Lazy<QueueClient> _payments = new(() => StorageQueues.CreateQueueClient(
        configuration, PaymentMessage.QueueName, new QueueClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = Timeout } }));

    public const string Healthy = "Healthy";
    public const string Unhealthy = "Unhealthy";

    public static readonly string[] All = [Healthy, Unhealthy];

    /// <summary>The queue client the checks ask, one for the app's life.</summary>
    public QueueClient QueueClient => _payments.Value;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthReport> RunAsync(CancellationToken cancellationToken)
    {
        var database = CheckAsync("database", async ct =>
        {
            await using var connection = await db.OpenAsync(ct);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM schema_migrations;", cancellationToken: ct));
        }, cancellationToken);
        var queue = CheckAsync("queue", async ct =>
        {
            // Asks about the payments queue, not the service's properties: a managed identity with Storage Queue Data
            // Contributor (infra/) may read a queue but not the service. Any answer, present or not, is a reachable service.
            await QueueClient.ExistsAsync(ct);
        }, cancellationToken);

        var checks = new Dictionary<string, string>
        {
            ["database"] = await database,
            ["queue"] = await queue,
        };
        return new HealthReport(checks.Values.All(v => v == Healthy) ? Healthy : Unhealthy, checks);
    }

    private async Task<string> CheckAsync(string name, Func<CancellationToken, Task> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await check(timeout.Token);
            return Healthy;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCheckFailed(e, name);
            return Unhealthy;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Health check {Check} failed")]
    private partial void LogCheckFailed(Exception exception, string check);
}

public static class OperationsServices
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<HealthChecks>();
        services.AddOptions<MaintenanceOptions>().BindConfiguration("Maintenance").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MaintenanceSweep>();
        return services;
    }
}
