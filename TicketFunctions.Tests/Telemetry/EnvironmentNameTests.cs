using System.Text.RegularExpressions;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Telemetry;

/// <summary>The host and the worker name one environment in their start-up lines, as telemetry and logs are filtered by it.</summary>
public sealed partial class EnvironmentNameTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(null, "Development")]
    [InlineData("Staging", "Staging")]
    public async Task The_host_and_the_worker_report_the_same_environment_name(string? configured, string expected)
    {
        var settings = new Dictionary<string, string?>();
        if (configured is not null)
        {
            settings["AZURE_FUNCTIONS_ENVIRONMENT"] = configured;
        }

        await using var host = await LocalHostApp.StartAsync(azurite, settings);

        var names = host.Log.Lines.Select(l => HostingEnvironment().Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToArray();
        Assert.True(names.Length >= 2, "the host's and the worker's start-up lines: " + string.Join(", ", names));
        Assert.All(names, name => Assert.Equal(expected, name));
    }

    [GeneratedRegex(@"Hosting environment: (?<name>\S+)")]
    private static partial Regex HostingEnvironment();
}
