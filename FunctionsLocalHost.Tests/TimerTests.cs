using System.Globalization;
using System.Text.Json;

using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

using FunctionsLocalHost.Tests.Support;

using Xunit.Abstractions;

namespace FunctionsLocalHost.Tests;

/// <summary>
/// Timer triggers as the real host runs them: azure-webjobs-sdk-extensions
/// <c>src/WebJobs.Extensions/Extensions/Timers/Listener/TimerListener.cs</c> (start-up, past due, runOnStartup, the
/// TimerInfo), <c>Timers/Scheduling/ScheduleMonitor.cs</c> and <c>src/WebJobs.Extensions.Timers.Storage/StorageScheduleMonitor.cs</c>
/// (the status blob), <c>Timers/Scheduling/TimerSchedule.cs</c> (the monitor off for schedules under a minute); the
/// listener's singleton lease from azure-webjobs-sdk <c>src/Microsoft.Azure.WebJobs.Host/Singleton/SingletonListener.cs</c>,
/// <c>SingletonManager.cs</c>, <c>SingletonOptions.cs</c> and <c>src/Microsoft.Azure.WebJobs.Host.Storage/Singleton/BlobLeaseDistributedLockManager.cs</c>;
/// the host id from azure-functions-host <c>src/WebJobs.Script/Host/ScriptHostIdProvider.cs</c>.
/// </summary>
[Collection(SampleAppTests.Name)]
public sealed class TimerTests(SampleAppFixture fixture, ITestOutputHelper output)
{
    private const string Executing = "Executing 'Functions.Tick' (Reason='Timer fired at ";

    // The real minimum (SingletonOptions): a host without the lease looks again this often.
    private const string RecoveryPolling = "00:00:15";

    private BlobContainerClient Hosts => new BlobServiceClient(fixture.Azurite.ConnectionString).GetBlobContainerClient("azure-webjobs-hosts");

    [Fact]
    public async Task A_timer_under_a_minute_runs_on_startup_then_on_its_schedule_with_no_schedule_status_and_no_status_blob()
    {
        var hostId = NewHostId();
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "*/2 * * * * *";
            s["AzureFunctionsWebHost__hostid"] = hostId;
        });

        var ticks = (await app.CollectAsync("TickQueue", 3)).Select(t => JsonDocument.Parse(t).RootElement).ToList();

        // TimerSchedule.Create turns the monitor off for a schedule that fires more than once a minute, and the listener
        // then gives the function no ScheduleStatus at all.
        Assert.All(ticks, t => Assert.False(t.GetProperty("IsPastDue").GetBoolean()));
        Assert.All(ticks, t => Assert.Equal(JsonValueKind.Null, t.GetProperty("Last").ValueKind));
        Assert.All(ticks, t => Assert.Equal(JsonValueKind.Null, t.GetProperty("Next").ValueKind));
        Assert.True(app.Log.Containing("Executed 'Functions.Tick' (Succeeded").Count >= 3);
        var occurrences = Assert.Single(app.Log.Containing("The next 5 occurrences of the 'Tick' schedule (Cron: '")).Message;
        var listed = occurrences.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(l => DateTime.ParseExact(l, "MM'/'dd'/'yyyy HH':'mm':'ssK", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).ToList();
        Assert.Equal(5, listed.Count);
        Assert.All(listed, at => Assert.True(at.Second % 2 == 0, occurrences));
        Assert.False(await Hosts.GetBlobClient($"timers/{hostId}/Host.Functions.Tick/status").ExistsAsync());
    }

    [Fact]
    public async Task Two_hosts_of_one_app_on_one_Azurite_run_each_occurrence_once_and_the_other_takes_over_when_the_holder_stops()
    {
        // Both run the sample from one folder on one machine, so both derive one host id, as the real host does locally.
        static void Settings(Dictionary<string, string?> s)
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "*/2 * * * * *";
            s["AzureFunctionsJobHost__singleton__listenerLockRecoveryPollingInterval"] = RecoveryPolling;
            // A minute's lease: a host that took over well within it found the lease released, not expired.
            s["AzureFunctionsJobHost__singleton__listenerLockPeriod"] = "00:01:00";
        }

        var started = await Task.WhenAll(SampleApp.StartAsync(fixture.Azurite, Settings), SampleApp.StartAsync(fixture.Azurite, Settings));
        var (first, second) = (started[0], started[1]);
        await using (first)
        await using (second)
        {
            await SampleApp.EventuallyAsync(() => Task.FromResult(Fired(first).Count + Fired(second).Count), n => n >= 4, "four Tick runs on the two hosts");
            var holder = Fired(first).Count > 0 ? first : second;
            var other = holder == first ? second : first;
            Assert.Empty(Fired(other));
            var lockBlob = Hosts.GetBlobClient($"locks/{ExpectedHostId(SampleApp.Directory)}/Host.Functions.Tick.Listener");
            Assert.Equal(LeaseState.Leased, (await lockBlob.GetPropertiesAsync()).Value.LeaseState);

            await holder.DisposeAsync();
            var stoppedAt = DateTimeOffset.Now;
            var holderRuns = Fired(holder);

            // The other host finds the lease released at its next recovery poll (15 s at most) and runs the timer from then on.
            await SampleApp.EventuallyAsync(() => Task.FromResult(Fired(other).Count), n => n >= 1, "a Tick run on the other host", TimeSpan.FromSeconds(28));
            var tookOverIn = Fired(other)[0] - stoppedAt;
            await SampleApp.EventuallyAsync(() => Task.FromResult(Fired(other).Count), n => n >= 3, "three Tick runs on the other host");
            var otherRuns = Fired(other);
            output.WriteLine($"Tick runs per host: the holder {holderRuns.Count} until it stopped, then the other {otherRuns.Count}; "
                + $"the other's first run {tookOverIn.TotalSeconds:0.0} s after the holder stopped (its lease would have lasted up to 60 s)");

            Assert.True(otherRuns.Min() > holderRuns.Max(), $"the other ran at {otherRuns.Min():O}, before the holder's last run at {holderRuns.Max():O}");
            // Each occurrence (an even second) ran once in all: the start-up runs fall between occurrences, never on one.
            var perOccurrence = holderRuns.Concat(otherRuns).GroupBy(Occurrence).ToList();
            output.WriteLine(string.Join(", ", perOccurrence.Select(g => $"{g.Key:HH:mm:ss} x{g.Count()}")));
            Assert.All(perOccurrence, g => Assert.Single(g));
        }
    }

    [Fact]
    public async Task A_lease_left_by_a_host_that_died_keeps_the_timer_off_until_it_expires_then_another_host_takes_it()
    {
        var hostId = NewHostId();
        await Hosts.CreateIfNotExistsAsync();
        var lockBlob = Hosts.GetBlobClient($"locks/{hostId}/Host.Functions.Tick.Listener");
        await lockBlob.UploadAsync(BinaryData.FromString(string.Empty));
        // The dead host's lease: taken for the shortest period Storage allows and never renewed.
        var expires = DateTimeOffset.Now.AddSeconds(15);
        await lockBlob.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15));

        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "*/2 * * * * *";
            s["AzureFunctionsWebHost__hostid"] = hostId;
            s["AzureFunctionsJobHost__singleton__listenerLockRecoveryPollingInterval"] = RecoveryPolling;
        });

        var firstRun = (await SampleApp.EventuallyAsync(() => Task.FromResult(Fired(app)), r => r.Count > 0, "a Tick run once the lease expired", TimeSpan.FromSeconds(45)))[0];
        output.WriteLine($"the dead host's lease expired at {expires:HH:mm:ss.fff}; the new host's first run at {firstRun:HH:mm:ss.fff}");
        Assert.True(firstRun >= expires, $"Tick ran at {firstRun:O}, while the dead host's lease lasted until {expires:O}");

        // The new host renews its 15 s lease (at half of it): a lease period after its first run, nobody else gets it.
        var heldSince = DateTimeOffset.Now;
        await SampleApp.EventuallyAsync(() => Task.FromResult(DateTimeOffset.Now - heldSince), t => t > TimeSpan.FromSeconds(16), "a lease period");
        var taken = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => lockBlob.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(409, taken.Status);
        Assert.Equal(LeaseState.Leased, (await lockBlob.GetPropertiesAsync()).Value.LeaseState);
    }

    [Fact]
    public async Task A_first_start_with_the_monitor_runs_on_startup_with_the_listener_s_initial_status_and_records_the_next_occurrence()
    {
        var hostId = NewHostId();
        var startedAt = DateTime.Now;
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "0 0 3 * * *";
            s["AzureFunctionsWebHost__hostid"] = hostId;
        });

        var tick = JsonDocument.Parse(Assert.Single(await app.CollectAsync("TickQueue", 1))).RootElement;
        var status = Hosts.GetBlobClient($"timers/{hostId}/Host.Functions.Tick/status");
        var stored = await SampleApp.EventuallyAsync(() => ReadStatusAsync(status), s => s is { } x && x.Last > DateTime.MinValue, "the status after the run");

        // No stored status: the listener starts from Last and LastUpdated "never" (default(DateTime)) and the next occurrence.
        Assert.False(tick.GetProperty("IsPastDue").GetBoolean());
        Assert.Equal(DateTime.MinValue, tick.GetProperty("Last").GetDateTime());
        Assert.Equal(DateTime.MinValue, tick.GetProperty("LastUpdated").GetDateTime());
        Assert.Equal(Daily3(startedAt), tick.GetProperty("Next").GetDateTime().ToLocalTime());
        // After the run: Last is when it ran, Next the following occurrence, as the real monitor records them.
        var (last, next, updated) = stored!.Value;
        Assert.InRange(last, startedAt, DateTime.Now);
        Assert.Equal(last, updated);
        Assert.Equal(Daily3(last), next);
    }

    [Fact]
    public async Task An_occurrence_missed_while_no_host_ran_runs_at_start_with_IsPastDue_and_the_stored_status()
    {
        var hostId = NewHostId();
        var occurrence = Daily3(DateTime.Now).AddDays(-1);
        var status = Hosts.GetBlobClient($"timers/{hostId}/Host.Functions.Tick/status");
        await Hosts.CreateIfNotExistsAsync();
        // What the real monitor left after the run of the day before: Last that run, Next the occurrence that was missed.
        var seeded = new { Last = Iso(occurrence.AddDays(-1)), Next = Iso(occurrence), LastUpdated = Iso(occurrence.AddDays(-1)) };
        await status.UploadAsync(BinaryData.FromObjectAsJson(seeded), overwrite: true);

        var startedAt = DateTime.Now;
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "0 0 3 * * *";
            s["AzureFunctionsWebHost__hostid"] = hostId;
        });

        var stored = await SampleApp.EventuallyAsync(() => ReadStatusAsync(status), s => s is { } x && x.Last > occurrence, "the status after the past-due run");
        var ticks = await app.CollectAsync("TickQueue", 1);
        var tick = JsonDocument.Parse(Assert.Single(ticks)).RootElement;

        // One run, past due (it wins over runOnStartup), with the status as stored: Next is the missed occurrence.
        Assert.True(tick.GetProperty("IsPastDue").GetBoolean());
        Assert.Equal(occurrence.AddDays(-1), tick.GetProperty("Last").GetDateTime().ToLocalTime());
        Assert.Equal(occurrence, tick.GetProperty("Next").GetDateTime().ToLocalTime());
        Assert.Equal(occurrence.AddDays(-1), tick.GetProperty("LastUpdated").GetDateTime().ToLocalTime());
        var (last, next, _) = stored!.Value;
        Assert.InRange(last, startedAt, DateTime.Now);
        Assert.Equal(Daily3(last), next);
        Assert.Single(app.Log.Containing(Executing));
    }

    [Fact]
    public async Task A_stored_status_that_the_schedule_would_not_give_is_re_based_on_a_changed_schedule_and_not_run_as_past_due()
    {
        var hostId = NewHostId();
        var status = Hosts.GetBlobClient($"timers/{hostId}/Host.Functions.Tick/status");
        await Hosts.CreateIfNotExistsAsync();
        // Recorded under an older schedule (daily at 04:00): the 03:00 schedule would not give this Next after this Last.
        var yesterday4 = DateTime.Now.Date.AddDays(-1).AddHours(4);
        await status.UploadAsync(BinaryData.FromObjectAsJson(new { Last = Iso(yesterday4.AddDays(-1)), Next = Iso(yesterday4), LastUpdated = Iso(yesterday4.AddDays(-1)) }), overwrite: true);

        var startedAt = DateTime.Now;
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "0 0 3 * * *";
            s["AzureFunctionsWebHost__hostid"] = hostId;
        });

        var tick = JsonDocument.Parse(Assert.Single(await app.CollectAsync("TickQueue", 1))).RootElement;
        await SampleApp.EventuallyAsync(() => ReadStatusAsync(status), s => s is { } x && x.Last >= startedAt, "the status after the run");

        // ScheduleMonitor.CheckPastDueAsync: the expected next occurrence (yesterday 03:00) is past, so the status is
        // re-based on now (Last "never", Next the coming 03:00, LastUpdated now): runOnStartup's run, not a past-due one.
        Assert.False(tick.GetProperty("IsPastDue").GetBoolean());
        Assert.Equal(DateTime.MinValue, tick.GetProperty("Last").GetDateTime());
        Assert.Equal(Daily3(startedAt), tick.GetProperty("Next").GetDateTime().ToLocalTime());
        Assert.InRange(tick.GetProperty("LastUpdated").GetDateTime().ToLocalTime(), startedAt, DateTime.Now);
        Assert.Single(app.Log.Containing(Executing));
    }

    [Fact]
    public async Task A_host_with_a_timer_and_no_blob_service_stops_at_start_and_says_what_to_start()
    {
        // Queues reachable, blobs not (a queue-only emulator, or a connection string naming no BlobEndpoint).
        var settings = SampleApp.DefaultSettings(fixture.Azurite.ConnectionString.Replace(
            fixture.Azurite.BlobEndpoint.ToString(), $"http://127.0.0.1:{AzuriteProcess.FreePort()}/{AzuriteFixture.AccountName}", StringComparison.Ordinal));
        settings["AzureWebJobs.Tick.Disabled"] = "false";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalFunctionsHost.StartAsync(SampleApp.Options(settings, new LogLines())));

        Assert.StartsWith("Cannot reach the Storage blob service at http://127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("(AzureWebJobsStorage)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Timer functions keep their leases and schedule status in blobs", error.Message, StringComparison.Ordinal);
    }

    /// <summary>When each Tick of a host fired, from its Executing lines ("Timer fired at 2026-12-07T14:00:02.0012345+00:00").</summary>
    private static List<DateTimeOffset> Fired(SampleApp app)
        => app.Log.Containing(Executing)
            .Select(l => DateTimeOffset.Parse(l.Message[(l.Message.IndexOf(Executing, StringComparison.Ordinal) + Executing.Length)..l.Message.IndexOf("', Id=", StringComparison.Ordinal)], CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>The even second a run of a "*/2 * * * * *" schedule belongs to.</summary>
    private static DateTimeOffset Occurrence(DateTimeOffset firedAt)
    {
        var second = new DateTimeOffset(firedAt.Ticks - (firedAt.Ticks % TimeSpan.TicksPerSecond), firedAt.Offset);
        return second.Second % 2 == 0 ? second : second.AddSeconds(-1);
    }

    /// <summary>The first 03:00 (local) after a time, as "0 0 3 * * *" gives it.</summary>
    private static DateTime Daily3(DateTime after)
    {
        var today = after.Date.AddHours(3);
        return DateTime.SpecifyKind(after < today ? today : today.AddDays(1), DateTimeKind.Local);
    }

    private static string Iso(DateTime local) => new DateTimeOffset(local).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);

    private static async Task<(DateTime Last, DateTime Next, DateTime LastUpdated)?> ReadStatusAsync(BlobClient blob)
    {
        if (!await blob.ExistsAsync())
        {
            return null;
        }

        var json = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString()).RootElement;
        DateTime Local(string name) => DateTimeOffset.Parse(json.GetProperty(name).GetString()!, CultureInfo.InvariantCulture).LocalDateTime;
        return (Local("Last"), Local("Next"), Local("LastUpdated"));
    }

    private static string NewHostId() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>
    /// The id the real host derives outside Azure (ScriptHostIdProvider.GetDefaultHostId): the machine name's letters and
    /// digits, '-', the absolute stable hash (Utility.GetStableHash) of the app folder; at most 32 characters, lower case.
    /// </summary>
    private static string ExpectedHostId(string appDirectory)
    {
        var hash = 23;
        foreach (var c in appDirectory)
        {
            hash = unchecked((hash * 31) + c);
        }

        var id = $"{string.Concat(Environment.MachineName.Where(char.IsLetterOrDigit))}-{Math.Abs((long)hash)}";
        return (id.Length > 32 ? id[..32] : id).ToLowerInvariant().TrimEnd('-');
    }
}
