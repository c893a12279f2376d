using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Operations;

/// <summary>How much one maintenance run deletes: batches of BatchSize rows per table, at most MaxBatches of them.</summary>
public sealed class MaintenanceOptions
{
    [Range(1, 10_000, ErrorMessage = "Maintenance:BatchSize must be from 1 to 10000.")]
    public int BatchSize { get; set; } = 500;

    [Range(1, 1_000, ErrorMessage = "Maintenance:MaxBatches must be from 1 to 1000.")]
    public int MaxBatches { get; set; } = 20;
}

public sealed record MaintenanceResult(long IdempotencyKeysDeleted, long LoginFailuresDeleted);

/// <summary>
/// Deletes what only grows otherwise: expired idempotency keys and failed-login counts whose window has ended. Each
/// batch is one short statement, so writers wait for the lock no longer than a batch takes, and a run stops after
/// MaxBatches (the next run goes on). Two instances may run it at once: a row deleted by one is simply not there
/// for the other.
/// <see cref="MaintenanceFunctions"/> runs it on the schedule in the app setting Maintenance__Schedule.
/// </summary>
public sealed partial class MaintenanceSweep(
    Db db, TimeProvider clock, IOptions<MaintenanceOptions> options, IOptions<LoginOptions> loginOptions, ILogger<MaintenanceSweep> logger)
{
    private static readonly SqlScript DeleteExpiredIdempotencyKeys = Sql.Load("payments/delete_expired_idempotency_keys");
    private static readonly SqlScript DeleteOldLoginFailures = Sql.Load("auth/delete_old_login_failures");

    public async Task<MaintenanceResult> RunAsync(CancellationToken cancellationToken)
    {
        var args = new
        {
            Now = clock.UnixMsNow(),
            WindowMs = (long)loginOptions.Value.FailureWindow.TotalMilliseconds,
            Limit = options.Value.BatchSize,
        };
        var result = new MaintenanceResult(
            await DeleteInBatchesAsync(DeleteExpiredIdempotencyKeys, args, cancellationToken),
            await DeleteInBatchesAsync(DeleteOldLoginFailures, args, cancellationToken));
        if (result.IdempotencyKeysDeleted + result.LoginFailuresDeleted > 0)
        {
            LogDeleted(result.IdempotencyKeysDeleted, result.LoginFailuresDeleted);
        }

        return result;
    }

    /// <summary>Each batch is a write of its own, so the app's writes wait for one batch at most.</summary>
    private async Task<long> DeleteInBatchesAsync(SqlScript sql, object args, CancellationToken cancellationToken)
    {
        long deleted = 0;
        for (var batch = 0; batch < options.Value.MaxBatches; batch++)
        {
            var rows = await db.WriteAsync((c, t) => c.ExecuteAsync(new CommandDefinition(sql.For(c), args, t, cancellationToken: cancellationToken)), cancellationToken);
            deleted += rows;
            if (rows < options.Value.BatchSize)
            {
                break;
            }
        }

        return deleted;
    }

    [LoggerMessage(LogLevel.Information, "Maintenance deleted {IdempotencyKeys} expired idempotency key(s) and {LoginFailures} old login failure count(s)")]
    private partial void LogDeleted(long idempotencyKeys, long loginFailures);
}
