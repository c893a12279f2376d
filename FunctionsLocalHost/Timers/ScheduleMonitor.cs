using System.Text;

using Azure;
using Azure.Storage.Blobs;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// A timer's schedule status kept in the app's Storage account, as the real host's <c>StorageScheduleMonitor</c>
/// keeps it (azure-webjobs-sdk-extensions <c>src/WebJobs.Extensions.Timers.Storage/StorageScheduleMonitor.cs</c>): the
/// blob <c>timers/&lt;hostId&gt;/&lt;timer name&gt;/status</c> in the <c>azure-webjobs-hosts</c> container, the timer
/// name being the generated method's full name (<c>Host.Functions.X</c>); a missing blob is "never recorded", and a
/// failed write is logged and otherwise ignored (best effort, as there). <see cref="CheckPastDueAsync"/> follows
/// <c>ScheduleMonitor.CheckPastDueAsync</c> (<c>Timers/Scheduling/ScheduleMonitor.cs</c>).
/// </summary>
internal sealed class ScheduleMonitor(BlobContainerClient container, string hostId, string functionName, ILogger logger)
{
    private readonly BlobClient _blob = container.GetBlobClient($"timers/{hostId}/{HostId.FunctionFullName(functionName)}/status");

    internal Uri BlobUri => _blob.Uri;

    internal async Task<ScheduleStatus?> GetStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await _blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return ScheduleStatus.FromJson(content.Value.Content.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    internal async Task UpdateStatusAsync(ScheduleStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await _blob.UploadAsync(BinaryData.FromString(status.ToJson()), overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            TimerLog.StatusUpdateFailed(logger, ex, HostId.FunctionFullName(functionName));
        }
    }

    /// <summary>
    /// How long past due the schedule is at <paramref name="now"/> (zero when it is not), recording a first status for a
    /// timer that has none and re-basing one whose schedule changed, exactly as the real monitor does. Status is the
    /// stored one as corrected (the real monitor corrects the listener's copy in place), or null when none was stored:
    /// the first status it records then stays in the blob, and the listener starts from its own.
    /// </summary>
    internal async Task<(TimeSpan PastDue, ScheduleStatus? Status)> CheckPastDueAsync(DateTime now, TimerSchedule schedule, ScheduleStatus? last, CancellationToken cancellationToken)
    {
        DateTime recordedNext;
        if (last is null)
        {
            // A new timer: record the next occurrence now, so that one missed before the first run is still seen.
            var first = new ScheduleStatus(ScheduleStatus.Never, schedule.Next(now), now);
            await UpdateStatusAsync(first, cancellationToken).ConfigureAwait(false);
            recordedNext = first.Next;
        }
        else
        {
            DateTime expectedNext;
            DateTime lastUpdated;
            if (last.Last != ScheduleStatus.Never)
            {
                expectedNext = schedule.Next(last.Last);
                lastUpdated = last.Last;
            }
            else if (last.LastUpdated != ScheduleStatus.Never)
            {
                expectedNext = schedule.Next(last.LastUpdated);
                lastUpdated = last.LastUpdated;
            }
            else
            {
                expectedNext = schedule.Next(now);
                lastUpdated = now;
            }

            // A Next that the schedule would not give is a changed schedule: re-based, and not past due for it.
            if (last.Next != expectedNext)
            {
                if (now > expectedNext)
                {
                    expectedNext = schedule.Next(now);
                    lastUpdated = now;
                }

                last = new ScheduleStatus(ScheduleStatus.Never, expectedNext, lastUpdated);
                await UpdateStatusAsync(last, cancellationToken).ConfigureAwait(false);
            }

            recordedNext = last.Next;
        }

        return (now > recordedNext ? now - recordedNext : TimeSpan.Zero, last);
    }
}
