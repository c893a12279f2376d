using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

namespace FunctionsLocalHost.Tests;

[Collection(SampleAppTests.Name)]
public sealed class TimerTests(SampleAppFixture fixture)
{
    [Fact]
    public async Task A_timer_runs_on_startup_then_on_its_six_field_NCRONTAB_schedule_with_a_TimerInfo()
    {
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureWebJobs.Tick.Disabled"] = "false";
            s["TickSchedule"] = "*/2 * * * * *";
        });

        var ticks = (await app.CollectAsync("TickQueue", 3)).Select(t => JsonDocument.Parse(t).RootElement).ToList();

        Assert.All(ticks, t => Assert.False(t.GetProperty("IsPastDue").GetBoolean()));
        // The first run is runOnStartup's; the next ones are for occurrences on even seconds (the seconds field). Past
        // due is only for an occurrence missed while no host ran, which a host without stored status never knows.
        var scheduled = ticks.Skip(1).Select(t => t.GetProperty("Next").GetDateTime()).ToList();
        Assert.All(scheduled, next => Assert.True(next.Second % 2 == 0 && next.Millisecond == 0, $"{next:O}"));
        // A run that starts late (a loaded machine) moves the next one to the next even second after it.
        Assert.True(scheduled[1] > scheduled[0] && (scheduled[1] - scheduled[0]).TotalSeconds % 2 == 0, $"{scheduled[0]:O} -> {scheduled[1]:O}");
        Assert.All(ticks, t => Assert.True(t.GetProperty("Last").GetDateTime() < t.GetProperty("Next").GetDateTime(), t.ToString()));
        Assert.True(app.Log.Containing("Executed 'Functions.Tick' (Succeeded").Count >= 3);
    }
}
