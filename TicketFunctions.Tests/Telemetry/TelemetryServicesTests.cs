using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Tests.Telemetry;

public sealed class TelemetryServicesTests
{
    [Fact]
    public void Without_a_connection_string_or_an_OTLP_endpoint_nothing_is_collected()
    {
        using var services = Build([]);

        Assert.Null(services.GetService<TracerProvider>());
        Assert.Null(services.GetService<MeterProvider>());
    }

    [Theory]
    [InlineData(TelemetryServices.OtlpSetting, "http://127.0.0.1:4318")]
    [InlineData(TelemetryServices.AzureMonitorSetting, "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://localhost/")]
    public void Either_exporter_setting_turns_tracing_and_metrics_on(string setting, string value)
    {
        using var services = Build(new() { [setting] = value });

        Assert.NotNull(services.GetService<TracerProvider>());
        Assert.NotNull(services.GetService<MeterProvider>());
    }

    [Theory]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD", "11111111-2222-3333-4444-555555555555")]
    [InlineData("Authorization=AAD;ClientId=abc", "abc")]
    [InlineData("Authorization=AAD", null)]
    [InlineData("ClientId=abc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_managed_identity_is_the_client_id_of_an_AAD_authentication_string(string? authentication, string? clientId)
        => Assert.Equal(clientId, TelemetryServices.ManagedIdentityClientId(authentication));

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAppTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
