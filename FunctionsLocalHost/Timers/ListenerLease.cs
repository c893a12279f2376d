using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// The blob lease that makes a timer function's listener a singleton across every host on one Storage account, taken as
/// the real host takes it: the timer listener is <c>[Singleton(Mode = SingletonMode.Listener)]</c>
/// (azure-webjobs-sdk-extensions <c>Timers/Listener/TimerListener.cs</c>), so <c>SingletonListener</c> (azure-webjobs-sdk
/// <c>src/Microsoft.Azure.WebJobs.Host/Singleton/SingletonListener.cs</c>) leases the blob
/// <c>locks/&lt;hostId&gt;/Host.Functions.X.Listener</c> in the <c>azure-webjobs-hosts</c> container
/// (<c>SingletonManager.FormatLockId</c>, <c>BlobLeaseDistributedLockManager</c> in
/// <c>src/Microsoft.Azure.WebJobs.Host.Storage/Singleton/</c>): it reads the blob's lease state first and only asks for a
/// lease when none is active, creates the empty blob (and the container) when missing, renews at half the lease period
/// (sooner after a failed renewal, down to 1 s: <c>LinearSpeedupStrategy</c>) and releases the lease when the listener
/// stops. A host that dies leaves the lease to expire.
/// </summary>
internal sealed class ListenerLease : IAsyncDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly string _lockId;
    private readonly SingletonSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _released = new();
    private readonly Task _renewing;
    private int _releasing;

    private ListenerLease(BlobLeaseClient lease, string lockId, SingletonSettings settings, TimeProvider clock, ILogger logger)
    {
        _lease = lease;
        _lockId = lockId;
        _settings = settings;
        _clock = clock;
        _logger = logger;
        _renewing = RenewAsync();
    }

    /// <summary>The lock id the real host logs and names the blob after: <c>&lt;hostId&gt;/Host.Functions.X.Listener</c>.</summary>
    internal static string LockId(string hostId, string functionName) => $"{hostId}/{HostId.FunctionFullName(functionName)}.Listener";

    /// <summary>Cancelled when the lease is lost: a renewal refused, or none succeeded within a lease period.</summary>
    internal CancellationToken Lost => _lost.Token;

    /// <summary>One attempt, as the real listener makes at start and at each recovery poll: the lease, or null when another host holds it.</summary>
    internal static async Task<ListenerLease?> TryAcquireAsync(
        BlobContainerClient container, string lockId, SingletonSettings settings, TimeProvider clock, ILogger logger, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient($"locks/{lockId}");
        var leaseId = await TryAcquireLeaseAsync(container, blob, settings.ListenerLockPeriod, cancellationToken).ConfigureAwait(false);
        if (leaseId is null)
        {
            return null;
        }

        TimerLog.LockAcquired(logger, lockId);
        return new ListenerLease(blob.GetBlobLeaseClient(leaseId), lockId, settings, clock, logger);
    }

    private static async Task<string?> TryAcquireLeaseAsync(BlobContainerClient container, BlobClient blob, TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            // Asking only when the state allows it spares the 409s a held lease would answer (as the real manager does).
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (properties.Value.LeaseState != LeaseState.Available && properties.Value.LeaseState != LeaseState.Expired
                && properties.Value.LeaseState != LeaseState.Broken)
            {
                return null;
            }

            return await AcquireAsync(blob, period, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No blob yet (or no container): create the empty blob, then ask.
        }

        try
        {
            await UploadUnlessPresentAsync(blob, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await UploadUnlessPresentAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        return await AcquireAsync(blob, period, cancellationToken).ConfigureAwait(false);
    }

    private static async Task UploadUnlessPresentAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.FromString(string.Empty), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Created (and perhaps leased) by another host meanwhile.
        }
    }

    private static async Task<string?> AcquireAsync(BlobClient blob, TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            var lease = await blob.GetBlobLeaseClient().AcquireAsync(period, cancellationToken: cancellationToken).ConfigureAwait(false);
            return lease.Value.LeaseId;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
    }

    private async Task RenewAsync()
    {
        var normal = _settings.ListenerLockPeriod / 2;
        var delay = normal;
        var lastRenewal = _clock.GetUtcNow();
        while (true)
        {
            try
            {
                await Task.Delay(delay, _clock, _released.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await _lease.RenewAsync(cancellationToken: _released.Token).ConfigureAwait(false);
                lastRenewal = _clock.GetUtcNow();
                delay = normal;
                continue;
            }
            catch (OperationCanceledException) when (_released.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is > 0 and < 500)
            {
                // Refused (the lease was lost or taken): the listener must stop, as it does when the real renewal throws.
                TimerLog.RenewalRefused(_logger, ex, _lockId, ex.Status);
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
            {
                TimerLog.RenewalFailed(_logger, ex, _lockId);
            }

            if (_clock.GetUtcNow() - lastRenewal >= _settings.ListenerLockPeriod)
            {
                TimerLog.LockLost(_logger, _lockId);
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }

            // A server-side failure: try again sooner, before the lease runs out.
            delay = delay / 2 > SingletonSettings.MinimumRenewalInterval ? delay / 2 : SingletonSettings.MinimumRenewalInterval;
        }
    }

    /// <summary>Stops renewing and releases the lease, so that another host can take the listener at its next attempt.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _releasing, 1) == 1)
        {
            return;
        }

        await _released.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
                TimerLog.LockReleased(_logger, _lockId);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409)
            {
                // Gone, or already someone else's: nothing to release.
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
            {
                // The lease then expires on its own within its period.
                TimerLog.ReleaseFailed(_logger, ex, _lockId);
            }
        }

        _lost.Dispose();
        _released.Dispose();
    }
}
